import Foundation
import Logging
import TwinModel

/// Everything `doppel serve` needs, filled in one place from defaults, a config file, `DOPPEL_*`
/// environment variables and flags — later sources win.
struct ServeConfiguration: Sendable, Equatable {
    var dataDirectory = "./doppel-data"
    var httpHost = "0.0.0.0"
    var httpPort = 8080
    var mqttHost = "0.0.0.0"
    var mqttPort = 1883
    /// Lets clients without credentials use topics outside the device namespaces.
    var mqttAllowAnonymous = false
    /// MQTT over TLS; the listener runs only when `tlsCertificate` and `tlsKey` are set.
    var mqttsPort = 8883
    /// MQTT over WebSocket at `/mqtt`.
    var mqttWebSocketPort = 8083
    /// PEM files: the server certificate chain and its key (for 8883), and the CAs whose client certificates
    /// are accepted (mutual TLS).
    var tlsCertificate: String?
    var tlsKey: String?
    var tlsClientCA: String?
    var adminToken: String?
    var logLevel = Logger.Level.info
    /// Telemetry messages waiting for the store at most; past it new ones are dropped and counted.
    var telemetryQueue = 100_000
    /// QoS 1 telemetry is acknowledged only once it is committed.
    var durableIngest = false
    /// Telemetry and rules run on a clock that moves only through `POST /v1/clock` (for tests; a flag only).
    var simulatedClock = false

    /// The keys a config file and the environment may set, with their environment variable names.
    enum Key: String, CaseIterable {
        case data, httpHost, httpPort, mqttHost, mqttPort, mqttAllowAnonymous, mqttsPort, mqttWsPort, tlsCert, tlsKey, tlsClientCa
        case adminToken, logLevel, telemetryQueue, durableIngest

        var environmentName: String {
            "DOPPEL_" + rawValue.reduce(into: "") { name, character in
                if character.isUppercase { name += "_" }
                name += character.uppercased()
            }
        }
    }

    /// Applies one source's settings, refusing unknown keys and bad values with the source's name.
    mutating func apply(_ settings: [String: String], source: String) throws {
        for (name, value) in settings {
            guard let key = Key(rawValue: name) else {
                let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
                throw CommandError("\(source): unknown setting \"\(name)\" (known: \(known))")
            }
            switch key {
            case .data: dataDirectory = value
            case .httpHost: httpHost = value
            case .httpPort: httpPort = try Self.port(value, key: key, source: source)
            case .mqttHost: mqttHost = value
            case .mqttPort: mqttPort = try Self.port(value, key: key, source: source)
            case .mqttsPort: mqttsPort = try Self.port(value, key: key, source: source)
            case .mqttWsPort: mqttWebSocketPort = try Self.port(value, key: key, source: source)
            case .tlsCert: tlsCertificate = value
            case .tlsKey: tlsKey = value
            case .tlsClientCa: tlsClientCA = value
            case .mqttAllowAnonymous:
                guard let flag = Bool(value.lowercased()) else {
                    throw CommandError("\(source): mqttAllowAnonymous must be true or false, not \"\(value)\"")
                }
                mqttAllowAnonymous = flag
            case .adminToken:
                guard value.count >= 16 else { throw CommandError("\(source): adminToken must be at least 16 characters") }
                adminToken = value
            case .durableIngest:
                guard let flag = Bool(value.lowercased()) else {
                    throw CommandError("\(source): durableIngest must be true or false, not \"\(value)\"")
                }
                durableIngest = flag
            case .telemetryQueue:
                guard let size = Int(value), (1...10_000_000).contains(size) else {
                    throw CommandError("\(source): telemetryQueue must be a whole number from 1 to 10000000, not \"\(value)\"")
                }
                telemetryQueue = size
            case .logLevel:
                guard let level = Logger.Level(rawValue: value.lowercased()) else {
                    throw CommandError("\(source): logLevel must be one of trace, debug, info, notice, warning, error, critical")
                }
                logLevel = level
            }
        }
    }

    /// Settings that only make sense together, checked once every source is applied.
    func validated() throws -> Self {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw CommandError("tlsCert and tlsKey go together: give both, or neither")
        }
        if tlsClientCA != nil, tlsCertificate == nil {
            throw CommandError("tlsClientCa needs the server certificate too (tlsCert and tlsKey)")
        }
        return self
    }

    private static func port(_ value: String, key: Key, source: String) throws -> Int {
        guard let port = Int(value), (0...65535).contains(port) else {
            throw CommandError("\(source): \(key.rawValue) must be a port number from 0 to 65535, not \"\(value)\"")
        }
        return port
    }

    /// Reads a JSON config file: one object whose members are the settings (strings or numbers).
    static func settings(fromFile path: String) throws -> [String: String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandError("\(path): cannot read the config file (\(error.localizedDescription))")
        }
        let document: JSONValue
        do {
            document = try JSONParser().parse(data)
        } catch {
            throw CommandError("\(path): \(error.description)")
        }
        guard case .object(let object) = document else { throw CommandError("\(path): the config file must hold a JSON object") }
        var settings: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case .string(let string): settings[key] = string
            case .int(let number): settings[key] = String(number)
            case .bool(let flag): settings[key] = String(flag)
            default: throw CommandError("\(path): setting \"\(key)\" must be a string or a number")
            }
        }
        return settings
    }

    /// The `DOPPEL_*` variables that name a known setting.
    static func settings(fromEnvironment environment: [String: String]) -> [String: String] {
        var settings: [String: String] = [:]
        for key in Key.allCases {
            if let value = environment[key.environmentName] { settings[key.rawValue] = value }
        }
        return settings
    }
}

/// A problem that stops a command (bad configuration, a refused query), said so that the operator can fix it.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
