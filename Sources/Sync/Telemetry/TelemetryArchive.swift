import CompressNIO
import Foundation
import NIOCore
import TwinModel

/// Compressed segment files of expired raw points, laid out like an object store so that an S3-compatible
/// bucket can take the folder as it is: `archive/{tenant}/{yyyy}/{mm}/{dd}/points-{first}-{last}.ndjson.gz`,
/// one gzip NDJSON file per day of data and retention run, each line `{"twin","metric","at","value"}`.
///
/// A segment is named by the first and last row it holds and written to a temporary name, synced and then
/// renamed, so a run that stops before the points are deleted rewrites the same file rather than a second
/// copy.
struct TelemetryArchive: Sendable {
    let root: URL

    /// Writes the points (already downsampled) of one day; returns the file.
    @discardableResult
    func write(_ points: [ExpiringPoint], tenant: String, day: Int64) throws -> URL {
        let date = Timestamp(milliseconds: day).iso8601
        let (year, month, dayOfMonth) = (date.prefix(4), date.dropFirst(5).prefix(2), date.dropFirst(8).prefix(2))
        let folder = root.appendingPathComponent(tenant).appendingPathComponent(String(year)).appendingPathComponent(String(month))
            .appendingPathComponent(String(dayOfMonth))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let rows = points.map(\.row)
        let name = "points-\(rows.min() ?? 0)-\(rows.max() ?? 0).ndjson.gz"
        var text = ByteBuffer()
        for point in points {
            let line: JSONValue = [
                "twin": .string(point.twin), "metric": .string(point.metric), "at": .string(Timestamp(milliseconds: point.at).iso8601),
                "value": .double(point.value),
            ]
            text.writeBytes(line.encoded())
            text.writeString("\n")
        }
        let compressed = try text.compress(with: .gzip())
        let file = folder.appendingPathComponent(name)
        let temporary = folder.appendingPathComponent(".\(name).partial")
        let data = Data(compressed.readableBytesView)
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.synchronize()
        try handle.close()
        if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
        try FileManager.default.moveItem(at: temporary, to: file)
        return file
    }
}
