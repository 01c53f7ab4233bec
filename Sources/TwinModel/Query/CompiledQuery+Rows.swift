import GRDB

extension CompiledQuery {
    /// One result item in Azure Digital Twins' shape.
    func item(from row: Row) throws -> JSONValue {
        if isBare, case .twin(_, let at) = columns.first { return try Self.twin(row, at: at) }
        var object = JSONObject(minimumCapacity: columns.count)
        for column in columns {
            switch column {
            case .twin(let key, let at):
                object[key] = try Self.twin(row, at: at)
            case .relationship(let key, let at):
                object[key] = try Self.relationship(row, at: at)
            case .json(let key, let at):
                guard let text: String = row[at] else { continue }
                object[key] = try JSONValue(parsing: text)
            case .text(let key, let at):
                guard let text: String = row[at] else { continue }
                object[key] = .string(text)
            case .etag(let key, let at):
                object[key] = .string(Twin.etag(incarnation: row[at], version: row[at + 1]))
            case .value(let key, let at):
                object[key] = Self.value(row[at] as DatabaseValue)
            }
        }
        return .object(object)
    }

    /// `{"$dtId", "$etag", "$metadata": {"$model", "<prop>": {"lastUpdateTime"}}, …properties}`, as the twins API shows it.
    static func twin(_ row: Row, at index: Int) throws -> JSONValue {
        let pk: Int64 = row[index]
        let model: String? = row[index + 2]
        let properties = try TwinRow.object(row[index + 3])
        let members = try TwinRow.metadata(row[index + 4]).members
        var metadata: JSONObject = ["$model": model.map(JSONValue.string) ?? .null]
        for key in properties.keys {
            if let member = members[key] { metadata[key] = ["lastUpdateTime": .string(member.lastUpdated.iso8601)] }
        }
        var object: JSONObject = [
            "$dtId": .string(row[index + 1]),
            "$etag": .string(Twin.etag(incarnation: pk, version: row[index + 5])),
            "$metadata": .object(metadata),
        ]
        for (key, value) in properties { object[key] = value }
        return .object(object)
    }

    /// `{"$relationshipId", "$sourceId", "$targetId", "$relationshipName", "$etag", …properties}`.
    static func relationship(_ row: Row, at index: Int) throws -> JSONValue {
        var object: JSONObject = [
            "$relationshipId": .string(row[index + 1]),
            "$sourceId": .string(row[index + 2]),
            "$targetId": .string(row[index + 3]),
            "$relationshipName": .string(row[index + 4]),
            "$etag": .string(Twin.etag(incarnation: row[index], version: row[index + 6])),
        ]
        for (key, value) in try TwinRow.object(row[index + 5]) { object[key] = value }
        return .object(object)
    }

    static func value(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .int(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .blob: .null
        }
    }
}
