import GodwitCore

// GRDB declares types of the same names; inside this module the schema model's names win.
// GRDB's own are written in full (`GRDB.Row`, `GRDB.DatabaseValue`).
typealias Table = GodwitCore.Table
typealias Column = GodwitCore.Column
typealias ForeignKey = GodwitCore.ForeignKey
typealias DatabaseValue = GodwitCore.DatabaseValue
typealias Index = GodwitCore.Index
typealias Operation = GodwitCore.Operation
