/// The bounds a twin document must stay within; the defaults are Azure IoT Hub's (PROTOCOLS.md).
public struct DocumentLimits: Sendable, Hashable, Codable {
    /// Encoded size of the desired section, in bytes.
    public var maximumDesiredBytes = 32 * 1024
    /// Encoded size of the reported section, in bytes.
    public var maximumReportedBytes = 32 * 1024
    /// Encoded size of the tags section, in bytes.
    public var maximumTagsBytes = 8 * 1024
    /// Encoded size of a twin's ADT-style properties, in bytes.
    public var maximumPropertiesBytes = 32 * 1024
    /// Object nesting below a section's root (a section's own members are at depth 1).
    public var maximumDepth = 10
    /// Length of one member name, in UTF-8 bytes.
    public var maximumKeyBytes = 1024
    /// Length of one string value, in UTF-8 bytes.
    public var maximumStringBytes = 4 * 1024

    public init() {}

    /// The defaults.
    public static let standard = DocumentLimits()
}
