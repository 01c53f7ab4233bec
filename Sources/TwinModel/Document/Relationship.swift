import OrderedCollections

/// A named, directed edge between two twins of one tenant.
public struct Relationship: Sendable, Hashable {
    /// Unique among the source twin's relationships.
    public var id: String
    public var source: String
    public var target: String
    public var name: String
    public var properties: JSONObject
    public var version: Int64
    public var createdAt: Timestamp
    /// The store's never-reused row number for this relationship; 0 until stored.
    public var incarnation: Int64 = 0

    public init(
        id: String, source: String, target: String, name: String, properties: JSONObject = [:],
        version: Int64 = 1, createdAt: Timestamp, incarnation: Int64 = 0
    ) {
        self.incarnation = incarnation
        self.id = id
        self.source = source
        self.target = target
        self.name = name
        self.properties = properties
        self.version = version
        self.createdAt = createdAt
    }

    /// A weak HTTP entity tag naming this exact state of the relationship.
    public var etag: String { Twin.etag(incarnation: incarnation, version: version) }
}
