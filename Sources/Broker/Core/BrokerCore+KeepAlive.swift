import Logging
import NIOCore
import Synchronization

/// One sweep a second over all connections enforces keep-alive, instead of a timer per connection: an
/// idle device then costs no scheduled task, and a silent one is disconnected within a second of its
/// 1.5 × keep-alive (MQTT-3.1.2-22).
struct KeepAliveSweep {
    var listeners = 0
    var task: RepeatedTask?
}

extension BrokerCore {
    /// Starts the sweep when the first listener starts.
    func listenerStarted(on eventLoop: any EventLoop) {
        keepAliveSweep.withLock { sweep in
            sweep.listeners += 1
            guard sweep.task == nil else { return }
            sweep.task = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [weak self] _ in
                self?.disconnectIdleConnections(at: .now())
            }
        }
    }

    /// Stops the sweep when the last listener stops.
    func listenerStopped() {
        keepAliveSweep.withLock { sweep in
            sweep.listeners -= 1
            if sweep.listeners == 0 {
                sweep.task?.cancel()
                sweep.task = nil
            }
        }
    }

    /// Disconnects every client silent for longer than its keep-alive allows.
    func disconnectIdleConnections(at now: NIODeadline) {
        let idle = connections.withLock { $0.byClientID.values.filter { $0.isIdle(at: now) } }
        for connection in idle {
            logger.info("keep-alive timeout", metadata: ["mqtt.remote": "\(connection.channel.remoteAddress.map { "\($0)" } ?? "?")"])
            connection.disconnect(.keepAliveTimeout, reasonString: "nothing received for 1.5 times the keep-alive")
        }
    }
}
