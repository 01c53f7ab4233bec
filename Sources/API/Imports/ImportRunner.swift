import ServiceLifecycle
import TwinModel

/// The service that works through submitted import jobs; it stops with the service group.
struct ImportRunner: Service {
    let jobs: ImportJobs
    let store: TwinStore

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await jobs.run(on: store)
        }
    }
}
