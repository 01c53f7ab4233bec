import Logging
import TwinModel

/// The first-start set-up of a data directory: an admin token for the default tenant.
struct FirstStart {
    let store: TwinStore
    let logger: Logger

    /// Stores the operator's token when one is given; otherwise creates one on the first start and prints it once.
    func ensureAdminToken(_ configured: String?) async throws {
        if let configured {
            try await store.createAccessToken(configured, tenant: TwinStore.defaultTenant, role: .admin, name: "configured admin")
            return
        }
        guard try await !store.hasAdminToken() else { return }
        let token = try await store.createAccessToken(tenant: TwinStore.defaultTenant, role: .admin, name: "first-start admin")
        // Printed, never logged: logs are shipped elsewhere, and only its hash is kept.
        print("Doppel admin token (shown once, keep it safe): \(token)")
        logger.notice("created the first-start admin token for tenant \(TwinStore.defaultTenant)")
    }
}
