import GodwitCore
import Testing

@Suite("Integer key walk")
struct IntegerKeyWalkTests {
    typealias Walk = BackfillBatchSQL.IntegerKeyWalk

    @Test("Taken for one integer range at most twice as wide as the rows, refused otherwise")
    func admission() {
        #expect(Walk(range: [.integer(1), .integer(1000)], rows: 900) == Walk(first: 1, last: 1000))
        #expect(Walk(range: [.integer(1), .integer(2000)], rows: 1000) != nil)
        #expect(Walk(range: [.integer(1), .integer(2002)], rows: 1000) == nil)
        #expect(Walk(range: [.integer(10), .integer(10_000)], rows: 1000) == nil)
        #expect(Walk(range: [.text("a"), .text("z")], rows: 10) == nil)
        #expect(Walk(range: [.integer(1), .text("z")], rows: 10) == nil)
        #expect(Walk(range: [.null, .null], rows: 0) == nil)
        #expect(Walk(range: [.integer(1), .integer(5)], rows: 0) == nil)
        #expect(Walk(range: [.integer(.min), .integer(.max)], rows: .max) == nil)
    }

    @Test("Ranges start below the first key, resume at the recorded key, and the last one is open")
    func ranges() {
        let walk = Walk(first: 1, last: 120)
        #expect(walk.start(after: nil) == 0)
        #expect(walk.start(after: "(50)") == 50)
        #expect(walk.start(after: "('k')") == nil)
        #expect(walk.start(after: "(1, 2)") == nil)
        #expect(walk.upper(after: 0, size: 50) == 50)
        #expect(walk.upper(after: 50, size: 50) == 100)
        #expect(walk.upper(after: 100, size: 50) == nil)
        #expect(walk.upper(after: 70, size: 50) == nil)
        #expect(Walk(first: .min, last: 0).start(after: nil) == nil)
        #expect(Walk(first: 0, last: .max).upper(after: .max - 10, size: 50) == nil)
    }
}
