import GRDB

/// Connection state and last activity, written by the broker as devices come, go and publish.
extension TwinStore {
    /// Records that a connection of the device opened (`connected: true`) or closed.
    ///
    /// The device counts as connected while any of its connections is open: when a new connection takes
    /// over an old one, its connect and the old one's disconnect may be recorded in either order. Both
    /// count as activity. Throws `deviceNotFound` when the device is not registered.
    public func recordDeviceConnection(_ id: String, in tenant: String, connected: Bool, at time: Timestamp = .now) async throws {
        try await writer.write { db in
            let statement =
                connected
                ? try db.cachedStatement(
                    sql: """
                        UPDATE device SET connections = connections + 1, connected_at = ?1,
                            last_activity = MAX(COALESCE(last_activity, ?1), ?1)
                        WHERE tenant = ?2 AND id = ?3
                        """)
                : try db.cachedStatement(
                    sql: """
                        UPDATE device SET connections = MAX(connections - 1, 0), disconnected_at = ?1,
                            last_activity = MAX(COALESCE(last_activity, ?1), ?1)
                        WHERE tenant = ?2 AND id = ?3
                        """)
            try statement.execute(arguments: [time.milliseconds, tenant, id])
            if db.changesCount == 0 { throw TwinModelError.deviceNotFound(id) }
        }
    }

    /// Records activity of one device (a message received from it); never moves `lastActivity` back.
    public func recordDeviceActivity(_ id: String, in tenant: String, at time: Timestamp = .now) async throws {
        try await recordDeviceActivity([DeviceAddress(tenant: tenant, id: id)], at: time)
    }

    /// Records activity of many devices in one transaction — what the broker should do, collecting the
    /// devices it heard from over a short interval. Unknown devices are skipped.
    public func recordDeviceActivity(_ devices: some Collection<DeviceAddress> & Sendable, at time: Timestamp = .now) async throws {
        guard !devices.isEmpty else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE device SET last_activity = MAX(COALESCE(last_activity, ?1), ?1) WHERE tenant = ?2 AND id = ?3")
            for device in devices {
                try statement.execute(arguments: [time.milliseconds, device.tenant, device.id])
            }
        }
    }

    /// Marks every device disconnected, e.g. when the server starts and no connection can be open yet.
    public func markAllDevicesDisconnected(at time: Timestamp = .now) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE device SET connections = 0, disconnected_at = ? WHERE connections > 0", arguments: [time.milliseconds])
        }
    }
}
