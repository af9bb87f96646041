import GodwitCore

/// The statements that take a schema's sequences to another's: schema operations leave
/// sequences out, so a generated down and `godwit diff` add these around them. Sequences
/// missing from `from` are created before anything else runs (a column's default may name
/// one); changed ones are altered, extra ones dropped, and created ones given to their columns
/// after the rest. A sequence that belongs to a column the change removes goes with the column.
/// Empty on an engine without sequences (SQLite).
struct SequenceChanges {
    /// To run before the schema operations.
    let first: [String]
    /// To run after them.
    let last: [String]

    var isEmpty: Bool { first.isEmpty && last.isEmpty }

    init(from current: Schema, to desired: Schema) {
        let writer = DatabaseConnector.schemaWriter(for: current.engine)
        let now = Dictionary(current.sequences.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = Set(desired.sequences.map(\.name))
        var first: [String] = [], last: [String] = []
        for sequence in desired.sequences {
            guard let existing = now[sequence.name] else {
                first += [writer.creatingSequence(sequence)].compactMap { $0 }
                last += [writer.owningSequence(sequence)].compactMap { $0 }
                continue
            }
            var comparable = existing
            comparable.comment = sequence.comment
            guard comparable != sequence, let alter = writer.alteringSequence(to: sequence) else { continue }
            last.append(alter)
            if existing.ownedBy != sequence.ownedBy, let owner = writer.owningSequence(sequence) { last.append(owner) }
        }
        for sequence in current.sequences where !wanted.contains(sequence.name) {
            let goesWithItsColumn = sequence.ownedBy.map { owner in
                desired.table(named: owner.table)?.columns.contains { $0.name == owner.column } != true
            } ?? false
            if !goesWithItsColumn, let drop = writer.droppingSequence(sequence.name) { last.append(drop) }
        }
        self.first = first
        self.last = last
    }
}
