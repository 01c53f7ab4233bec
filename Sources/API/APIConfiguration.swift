import TwinModel

/// How the HTTP API listens and what it accepts.
public struct APIConfiguration: Sendable, Hashable {
    /// The interface to bind; loopback by default would hide the console from the LAN, so all interfaces.
    public var host = "0.0.0.0"
    /// 0 binds an ephemeral port; the bound one is reported through `onServerRunning`.
    public var port = 8080
    /// Bounds on `POST /v1/query`: length, operators, joins, hops, page size.
    public var queryLimits = QueryLimits()
    public init() {}
}
