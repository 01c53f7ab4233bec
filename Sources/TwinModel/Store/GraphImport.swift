import OrderedCollections

/// A set of twins and relationships to load in one transaction, as importers and generators produce them.
public struct GraphImport: Sendable {
    public var twins: [ImportedTwin]
    public var relationships: [ImportedRelationship]

    public init(twins: [ImportedTwin] = [], relationships: [ImportedRelationship] = []) {
        self.twins = twins
        self.relationships = relationships
    }
}

/// A twin to create or update (by id).
public struct ImportedTwin: Sendable, Hashable {
    public var id: String
    public var model: String?
    public var properties: JSONObject
    /// Initial reported state, e.g. of a generated device; empty leaves reported as it is.
    public var reported: JSONObject

    public init(id: String, model: String?, properties: JSONObject = [:], reported: JSONObject = [:]) {
        self.id = id
        self.model = model
        self.properties = properties
        self.reported = reported
    }
}

/// A relationship to create or update (by source and id).
public struct ImportedRelationship: Sendable, Hashable {
    public var id: String
    public var source: String
    public var target: String
    public var name: String
    public var properties: JSONObject

    public init(id: String, source: String, target: String, name: String, properties: JSONObject = [:]) {
        self.id = id
        self.source = source
        self.target = target
        self.name = name
        self.properties = properties
    }
}

/// What an import did.
public struct ImportSummary: Sendable, Hashable, Codable {
    public var modelsCreated = 0
    public var twinsCreated = 0
    public var twinsUpdated = 0
    public var relationshipsCreated = 0
    public var relationshipsUpdated = 0
    /// The file readers' warnings, passed through.
    public var warnings: [String] = []

    public init() {}
}
