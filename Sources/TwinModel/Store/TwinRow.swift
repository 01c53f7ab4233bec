import GRDB
import OrderedCollections

/// Reads and writes twins as `twin` table rows.
enum TwinRow {
    static let columns = "pk, " + storedColumns

    /// Every column but the row key and the tenant, in the order `insert` binds them.
    static let storedColumns = """
        id, model, properties, properties_meta, properties_version, desired, desired_meta, desired_version, \
        reported, reported_meta, reported_version, tags, tags_meta, tags_version, version, created_at, updated_at
        """

    /// Decodes a row selected with `columns`; returns the twin and its row key.
    static func decode(_ row: Row) throws -> (pk: Int64, twin: Twin) {
        let twin = Twin(
            id: row["id"],
            model: row["model"],
            properties: try section(row, "properties"),
            desired: try section(row, "desired"),
            reported: try section(row, "reported"),
            tags: try section(row, "tags"),
            version: row["version"],
            createdAt: Timestamp(milliseconds: row["created_at"]),
            updatedAt: Timestamp(milliseconds: row["updated_at"]),
            incarnation: row["pk"]
        )
        return (row["pk"], twin)
    }

    static func section(_ row: Row, _ name: String) throws -> TwinSection {
        let value: String = row[name]
        let metadata: String = row[name + "_meta"]
        return TwinSection(
            value: try object(value),
            version: row[name + "_version"],
            metadata: try self.metadata(metadata)
        )
    }

    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser().parse(text) else {
            throw DatabaseError(message: "stored twin section is not a JSON object")
        }
        return object
    }

    static func metadata(_ text: String) throws -> SectionMetadata {
        guard let metadata = SectionMetadata(storageJSON: try JSONParser().parse(text)) else {
            throw DatabaseError(message: "stored twin metadata is malformed")
        }
        return metadata
    }

    static func text(_ object: JSONObject) -> String {
        JSONValue.object(object).encodedString()
    }

    static func text(_ metadata: SectionMetadata) -> String {
        String(decoding: bytes(metadata), as: UTF8.self)
    }

    static func bytes(_ metadata: SectionMetadata) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        metadata.writeStorageJSON(to: &output)
        return output
    }

    /// Inserts a new twin; returns its row key.
    static func insert(_ twin: Twin, tenant: String, in db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO twin (tenant, \(storedColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [tenant, twin.id, twin.model] + sectionArguments(twin.properties) + sectionArguments(twin.desired)
                + sectionArguments(twin.reported) + sectionArguments(twin.tags)
                + [twin.version, twin.createdAt.milliseconds, twin.updatedAt.milliseconds]
        )
        return db.lastInsertedRowID
    }

    /// Writes every column of an existing twin.
    static func update(_ twin: Twin, pk: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                UPDATE twin SET model = ?, properties = ?, properties_meta = ?, properties_version = ?,
                desired = ?, desired_meta = ?, desired_version = ?, reported = ?, reported_meta = ?, reported_version = ?,
                tags = ?, tags_meta = ?, tags_version = ?, version = ?, updated_at = ? WHERE pk = ?
                """
        )
        try statement.execute(
            arguments: [twin.model] + sectionArguments(twin.properties) + sectionArguments(twin.desired)
                + sectionArguments(twin.reported) + sectionArguments(twin.tags)
                + [twin.version, twin.updatedAt.milliseconds, pk]
        )
    }

    /// Writes one section (value, metadata, version) and the twin's version: what a patch of that section changes.
    static func update(_ kind: TwinSection.Kind, of twin: Twin, pk: Int64, in db: Database) throws {
        // Not the reported batch's text: that path binds its cached statement by hand, and a shared cache
        // entry would carry its bindings into this one.
        let statement = try db.cachedStatement(
            sql: "UPDATE twin SET version = ?, updated_at = ?, \(kind.rawValue) = ?, \(kind.rawValue)_meta = ?, \(kind.rawValue)_version = ? WHERE pk = ?")
        try statement.execute(arguments: [twin.version, twin.updatedAt.milliseconds] + sectionArguments(twin[section: kind]) + [pk])
    }

    private static func sectionArguments(_ section: TwinSection) -> StatementArguments {
        [text(section.value), text(section.metadata), section.version]
    }
}
