import GodwitCore
import Testing

@Suite("Renderers")
struct RendererTests {
    let schema = SampleSchemas.make(reversed: false).canonicalized()

    @Test("The Mermaid diagram has every table, its keys, and each foreign key as a relation")
    func mermaid() {
        let diagram = MermaidERDiagram().render(schema)
        #expect(diagram.hasPrefix("erDiagram\n"))
        #expect(diagram.contains("    artist {\n        integer id PK, UK\n        text name\n    }") == false)
        #expect(diagram.contains("    artist {"))
        #expect(diagram.contains("        integer id PK"))
        #expect(diagram.contains("        integer artist_id FK"))
        #expect(diagram.contains("    artist ||--o{ album : \"artist_id\""))
    }

    @Test("Mermaid names are sanitised to what Mermaid accepts")
    func mermaidNames() {
        var table = Table(name: QualifiedName(schema: "sales", "order line"), columns: [Column(name: "unit price", type: "character varying(40)")])
        table.primaryKey = nil
        let other = Table(name: QualifiedName(schema: "public", "x"), columns: [])
        let diagram = MermaidERDiagram().render(Schema(engine: .postgresql, tables: [table, other]))
        #expect(diagram.contains("    sales_order_line {"))
        #expect(diagram.contains("        character_varying_40 unit_price"))
    }

    @Test("The Markdown document has an overview, the diagram, and a section per table")
    func markdown() {
        let document = SchemaMarkdownRenderer(source: "postgres://u@h:5432/db").render(schema)
        #expect(document.hasPrefix("# Data architecture: postgres://u@h:5432/db\n"))
        #expect(document.contains("## Overview"))
        #expect(document.contains("| [public.artist](#publicartist) | 2 | ~10 | 8.0 KiB | id | — |"))
        #expect(document.contains("```mermaid\nerDiagram"))
        #expect(document.contains("### public.album"))
        #expect(document.contains("- Foreign key `album_artist_fk`: (artist_id) → `public.artist`(id) on update no action, on delete cascade"))
        #expect(document.contains("Referenced by: `public.album`(artist_id)."))
        #expect(document.contains("## Views"))
    }

    @Test("The text listing shows columns, keys and statistics")
    func text() {
        let listing = SchemaTextRenderer(source: "db").render(schema)
        #expect(listing.hasPrefix("PostgreSQL database db\n2 tables, 2 views, 2 indexes, 0 triggers\n"))
        #expect(listing.contains("TABLE public.artist  (~10 rows, 8.0 KiB)"))
        #expect(listing.contains("  artist_id  integer  NOT NULL  FK → public.artist(id)"))
        #expect(listing.contains("  foreign key album_artist_fk (artist_id) → public.artist(id) ON DELETE CASCADE"))
        #expect(listing.contains("  index a_idx (id DESC)"))
    }
}
