import Synchronization
import TwinModel

/// Delivery passes over a device's queue, one at a time per device: a pass asked for while one runs makes
/// that one look again when it ends, so nothing queued meanwhile waits for the next trigger and two passes
/// never send the same device's messages side by side.
final class DevicePasses: Sendable {
    /// Devices with a pass running, and whether another was asked for meanwhile.
    private let running = Mutex<[DeviceAddress: Bool]>([:])

    /// Runs `pass` for `device` now, or after the running one.
    func run(for device: DeviceAddress, _ pass: () async -> Void) async {
        let start = running.withLock { passes in
            if passes[device] != nil {
                passes[device] = true
                return false
            }
            passes[device] = false
            return true
        }
        guard start else { return }
        repeat {
            await pass()
        } while running.withLock { passes in
            if passes[device] == true {
                passes[device] = false
                return true
            }
            passes[device] = nil
            return false
        }
    }
}
