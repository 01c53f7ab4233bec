import Broker
import Logging
import ServiceLifecycle
import Sync
import TwinModel

/// The broker's listeners for `doppel serve`, all on one ``BrokerCore`` with one authenticator: MQTT on TCP
/// and over WebSocket (`/mqtt`, its own port) always, MQTT over TLS when a certificate is configured.
///
/// Built before anything starts, so a certificate, key or CA file that cannot be used stops the start with
/// the file named.
struct MQTTListeners {
    struct Listener {
        /// Its key in `ports.json`.
        let name: String
        let transport: MQTTTransport
        let port: Int
    }

    let listeners: [Listener]
    let authenticator: any MQTTAuthenticator
    let host: String

    /// - Parameter registry: the store whose device registry judges device logins of every dialect.
    init(configuration: ServeConfiguration, registry: TwinStore) throws {
        var listeners = [
            Listener(name: "mqtt", transport: .tcp, port: configuration.mqttPort),
            Listener(name: "mqtt_ws", transport: .webSocket(path: "/mqtt"), port: configuration.mqttWebSocketPort),
        ]
        let anonymous = AnonymousMQTTPolicy(allowAnonymous: configuration.mqttAllowAnonymous)
        // IoT Hub devices (`{host}/{deviceId}/?api-version=…`, a SAS token) come before the native check,
        // which would claim their user names too.
        let azure = AzureDeviceAuthenticator(store: registry)
        let devices = DeviceAuthenticator(store: registry)
        var authenticator: any MQTTAuthenticator = MQTTAuthenticatorChain([azure, devices, anonymous])
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let tls: MQTTTLSConfiguration
            do {
                // Devices may also present certificates of no CA, registered by thumbprint (AWS IoT's
                // registration without a CA); only the registry can admit those.
                tls = try MQTTTLSConfiguration(
                    certificateFile: certificate, privateKeyFile: key, clientCAFile: configuration.tlsClientCA,
                    acceptsUnchainedClientCertificates: true)
            } catch {
                throw CommandError(error.description)
            }
            listeners.append(Listener(name: "mqtts", transport: .tls(tls), port: configuration.mqttsPort))
            if tls.requiresClientCertificate {
                // A client with a certificate and no native device login is the registry device its client id
                // names when the certificate's thumbprint is registered for it (the AWS IoT way, tenant
                // `default`), whoever issued it. A client id the registry does not know falls to the CN check,
                // which only a certificate issued by a client CA passes: the device its CN names (and must use
                // that client id), on the topics the anonymous policy allows. Everyone else is judged as before.
                let commonName = X509CommonNameAuthenticator(authorizingWith: anonymous)
                authenticator = MQTTAuthenticatorChain([
                    DeviceCertificateAuthenticator(store: registry, otherwise: commonName), azure, devices, commonName, anonymous,
                ])
            }
        }
        self.listeners = listeners
        self.authenticator = authenticator
        self.host = configuration.mqttHost
    }

    var names: Set<String> { Set(listeners.map(\.name)) }

    /// One server per listener; `onBound` hears each listener's name and bound port.
    func servers(core: BrokerCore, logger: Logger, onBound: @escaping @Sendable (String, Int) -> Void) -> [any Service] {
        listeners.map { listener in
            MQTTServer(
                core: core, authenticator: authenticator, transport: listener.transport, host: host, port: listener.port,
                logger: logger
            ) { port in
                onBound(listener.name, port)
            }
        }
    }
}
