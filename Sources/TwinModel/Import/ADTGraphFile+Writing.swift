import OrderedCollections

extension ADTGraphFile {
    /// The file in `format`, twins and relationships in Azure Digital Twins' shapes.
    public func encoded(as format: Format) -> [UInt8] {
        switch format {
        case .explorerJSON:
            let document: JSONValue = [
                "digitalTwinsFileInfo": ["fileVersion": "1.0.0"],
                "digitalTwinsGraph": [
                    "digitalTwins": .array(graph.twins.map(Self.twinJSON)),
                    "relationships": .array(graph.relationships.map { Self.relationshipJSON($0, sourceKey: "$sourceId") }),
                ],
                "digitalTwinsModels": .array(models),
            ]
            return document.encoded()
        case .bulkNDJSON:
            var output: [UInt8] = []
            func line(_ value: JSONValue) {
                value.write(to: &output)
                output.append(UInt8(ascii: "\n"))
            }
            line(["Section": "Header"])
            line(["fileVersion": "1.0.0", "author": "Doppel", "organization": "Doppel"])
            line(["Section": "Models"])
            models.forEach(line)
            line(["Section": "Twins"])
            graph.twins.map(Self.twinJSON).forEach(line)
            line(["Section": "Relationships"])
            graph.relationships.map { Self.relationshipJSON($0, sourceKey: "$dtId") }.forEach(line)
            return output
        }
    }

    static func twinJSON(_ twin: ImportedTwin) -> JSONValue {
        var object: JSONObject = ["$dtId": .string(twin.id), "$metadata": ["$model": twin.model.map(JSONValue.string) ?? .null]]
        for (key, value) in twin.properties { object[key] = value }
        return .object(object)
    }

    static func relationshipJSON(_ relationship: ImportedRelationship, sourceKey: String) -> JSONValue {
        var object: JSONObject = [
            sourceKey: .string(relationship.source),
            "$relationshipId": .string(relationship.id),
            "$targetId": .string(relationship.target),
            "$relationshipName": .string(relationship.name),
        ]
        for (key, value) in relationship.properties { object[key] = value }
        return .object(object)
    }
}
