extension Twin {
    /// For each desired key whose reported value now equals it, when that last became true: the later of the
    /// key's last desired write and its last reported write (from the per-key metadata, so nothing extra is
    /// stored or written on the hot path). A device re-reporting an equal value moves the time to that report.
    public var convergedKeys: [String: Timestamp] {
        let delta = self.delta ?? [:]
        var converged: [String: Timestamp] = [:]
        for key in desired.value.keys where delta[key] == nil {
            let wanted = desired.metadata.members[key]?.lastUpdated ?? desired.metadata.lastUpdated
            let reportedAt = reported.metadata.members[key]?.lastUpdated ?? reported.metadata.lastUpdated
            converged[key] = max(wanted, reportedAt)
        }
        return converged
    }

    /// When desired and reported last converged as a whole (the delta became empty); `nil` while it is not.
    /// A twin with no desired state is converged since desired was last written.
    public var convergedAt: Timestamp? {
        guard delta == nil else { return nil }
        return convergedKeys.values.max() ?? desired.metadata.lastUpdated
    }
}
