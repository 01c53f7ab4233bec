/// A device: a twin with credentials, a status and a connection state, as the registry shows it.
///
/// Credentials never appear in clear: only whether a secret and SAS keys are set, and the registered
/// certificate thumbprints (which are public).
public struct Device: Sendable, Hashable {
    /// Whether the device may connect.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case enabled
        case disabled
    }

    /// IoT Hub's `connectionState`.
    public enum ConnectionState: String, Sendable, Hashable, CaseIterable {
        case connected
        case disconnected
    }

    /// The device id, which is also its twin's id.
    public var id: String
    /// The model of the device's twin.
    public var model: String?
    public var status: Status
    /// Whether a native password (the device secret) is registered.
    public var hasSecret: Bool
    public var hasPrimarySASKey: Bool
    public var hasSecondarySASKey: Bool
    /// SHA-1 (40) or SHA-256 (64) hex digests of the device's DER certificates, lowercase.
    public var x509Thumbprints: [String]
    /// Connected while at least one connection of the device is open.
    public var connectionState: ConnectionState
    /// The last time the device connected, disconnected or sent anything.
    public var lastActivity: Timestamp?
    public var connectedAt: Timestamp?
    public var disconnectedAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, model: String? = nil, status: Status = .enabled, hasSecret: Bool = false, hasPrimarySASKey: Bool = false,
        hasSecondarySASKey: Bool = false, x509Thumbprints: [String] = [], connectionState: ConnectionState = .disconnected,
        lastActivity: Timestamp? = nil, connectedAt: Timestamp? = nil, disconnectedAt: Timestamp? = nil,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.model = model
        self.status = status
        self.hasSecret = hasSecret
        self.hasPrimarySASKey = hasPrimarySASKey
        self.hasSecondarySASKey = hasSecondarySASKey
        self.x509Thumbprints = x509Thumbprints
        self.connectionState = connectionState
        self.lastActivity = lastActivity
        self.connectedAt = connectedAt
        self.disconnectedAt = disconnectedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A device named across tenants, e.g. from a native MQTT user name `{tenant}/{deviceId}`.
public struct DeviceAddress: Sendable, Hashable {
    public var tenant: String
    public var id: String

    public init(tenant: String, id: String) {
        self.tenant = tenant
        self.id = id
    }

    /// Splits a native user name `{tenant}/{deviceId}` at its first `/` (tenant ids never contain one, and
    /// device ids may not); `nil` when either part is empty or there is no `/`.
    public init?(username: String) {
        guard let slash = username.firstIndex(of: "/") else { return nil }
        let tenant = String(username[..<slash])
        let id = String(username[username.index(after: slash)...])
        guard !tenant.isEmpty, !id.isEmpty, !id.contains("/") else { return nil }
        self.init(tenant: tenant, id: id)
    }

    /// The native MQTT user name of this device.
    public var username: String { "\(tenant)/\(id)" }
}
