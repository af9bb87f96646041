import GodwitCore
import Testing

@Suite("Volatile defaults")
struct VolatileExpressionTests {
    @Test("Known volatile functions and functions Godwit does not know are volatile (PostgreSQL's default for a function)",
          arguments: ["gen_random_uuid()", "random_string(26)", "public.make_token()", "nextval('s'::regclass)", "clock_timestamp()"])
    func volatile(_ expression: String) {
        #expect(VolatileExpression.isVolatile(expression))
    }

    @Test("Constants, casts with type modifiers, stable built-ins, aggregates over subqueries and keywords are not",
          arguments: ["'web'", "0", "now()", "CURRENT_TIMESTAMP", "'x'::character varying(20)", "CAST(1 AS numeric(10,2))",
                      "lower('A')", "(SELECT count(*) FROM l WHERE l.id = t.id)", "CASE WHEN a IN (1, 2) THEN 'y' ELSE 'n' END",
                      "'{}'::jsonb", "jsonb_build_object('a', 1)"])
    func notVolatile(_ expression: String) {
        #expect(!VolatileExpression.isVolatile(expression))
    }
}
