/// The bounds the store enforces; the defaults are Azure Digital Twins' and IoT Hub's (PROTOCOLS.md).
public struct StoreConfiguration: Sendable, Hashable {
    public var documentLimits = DocumentLimits.standard
    /// Outgoing relationships one twin may have.
    public var maximumOutgoingRelationships = 5000
    /// Incoming relationships one twin may have.
    public var maximumIncomingRelationships = 5000
    /// Twins whose committed reported state the batch path keeps decoded in memory.
    public var reportedCacheCapacity = 100_000
    /// Reader connections in the pool.
    public var maximumReaders = 4

    public init() {}
}
