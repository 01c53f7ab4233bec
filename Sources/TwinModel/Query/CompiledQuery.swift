/// A query compiled to one SQL statement, and how to turn its rows into result items.
struct CompiledQuery: Sendable {
    /// One projected value: where its columns start in the row and the key it gets in the result item.
    enum Column: Sendable, Equatable {
        /// A twin: `pk, id, model, properties, properties_meta, version`.
        case twin(key: String, at: Int)
        /// A relationship: `pk, id, source id, target id, name, properties, version`.
        case relationship(key: String, at: Int)
        /// JSON text from `->`; SQL NULL (undefined) leaves the key out.
        case json(key: String, at: Int)
        /// A text column; NULL leaves the key out.
        case text(key: String, at: Int)
        /// `pk, version`, shown as an etag.
        case etag(key: String, at: Int)
        /// An aggregate's SQLite value; NULL shows as JSON null.
        case value(key: String, at: Int)

        static let twinWidth = 6
        static let relationshipWidth = 7
    }

    /// The statement without `LIMIT`/`OFFSET`, which the executor appends per page.
    var statement: SQLFragment
    var columns: [Column]
    /// `SELECT *`: each item is the twin itself rather than an object keyed by projection names.
    var isBare: Bool
    var top: Int?
}
