import GodwitCore

/// The statements that take a schema's sequences to another's: schema operations leave
/// sequences out, so a generated down and `godwit diff` add these around them. Sequences
/// missing from `from` are created before anything else runs (a column's default may name
/// one); changed ones are altered, extra ones dropped, and created ones given to their columns
/// after the rest. A sequence that belongs to a column the change removes goes with the column.
/// Empty on an engine without sequences (SQLite).
struct SequenceChanges {
    /// `CREATE SEQUENCE` for the ones `from` lacks.
    let creating: [String]
    /// `ALTER SEQUENCE … OWNED BY` for those created, and for changed ones whose owner changed.
    let owning: [String]
    /// `ALTER SEQUENCE` for the ones whose definition changed.
    let altering: [String]
    /// `DROP SEQUENCE` for the ones `to` lacks (but for those going with their column).
    let dropping: [String]

    /// To run before the schema operations.
    var first: [String] { creating }
    /// To run after them.
    var last: [String] { altering + owning + dropping }

    var isEmpty: Bool { first.isEmpty && last.isEmpty }

    init(from current: Schema, to desired: Schema) {
        let writer = DatabaseConnector.schemaWriter(for: current.engine)
        let now = Dictionary(current.sequences.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = Set(desired.sequences.map(\.name))
        var creating: [String] = [], owning: [String] = [], altering: [String] = [], dropping: [String] = []
        for sequence in desired.sequences {
            guard let existing = now[sequence.name] else {
                creating += [writer.creatingSequence(sequence)].compactMap { $0 }
                owning += [writer.owningSequence(sequence)].compactMap { $0 }
                continue
            }
            var comparable = existing
            comparable.comment = sequence.comment
            guard comparable != sequence, let alter = writer.alteringSequence(to: sequence) else { continue }
            altering.append(alter)
            if existing.ownedBy != sequence.ownedBy, let owner = writer.owningSequence(sequence) { owning.append(owner) }
        }
        for sequence in current.sequences where !wanted.contains(sequence.name) {
            let goesWithItsColumn = sequence.ownedBy.map { owner in
                desired.table(named: owner.table)?.columns.contains { $0.name == owner.column } != true
            } ?? false
            if !goesWithItsColumn, let drop = writer.droppingSequence(sequence.name) { dropping.append(drop) }
        }
        (self.creating, self.owning, self.altering, self.dropping) = (creating, owning, altering, dropping)
    }
}
