import Foundation

/// A password file: one `username:hash` a line, the hash as ``PasswordHash`` writes it. Blank lines and
/// lines starting with `#` are ignored; a user name is everything before the first `:` and may not be
/// empty, start or end with white space, or appear twice.
///
/// ```
/// # doppel MQTT users
/// gateway-7:$pbkdf2-sha256$100000$3q2+7wABAgMEBQYHCAkKCw$Jm0Yk…
/// ```
public struct PasswordFile: Sendable {
    public let users: [String: PasswordHash]

    /// Reads and parses the file at `path`; every problem names the file and the line.
    public init(contentsOf path: String) throws(MQTTConfigurationError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .unreadableFile(path: path, reason: "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadableFile(path: path, reason: "not UTF-8 text") }
        try self.init(parsing: text, path: path)
    }

    /// Parses `text`; `path` names it in errors.
    public init(parsing text: String, path: String) throws(MQTTConfigurationError) {
        var users: [String: PasswordHash] = [:]
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so both line ends are named.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let content = line.drop { $0 == " " || $0 == "\t" }
            if content.isEmpty || content.hasPrefix("#") { continue }
            func malformed(_ problem: String) -> MQTTConfigurationError {
                .malformedPasswordLine(path: path, line: lineNumber, problem: problem)
            }
            guard let colon = line.firstIndex(of: ":") else { throw malformed("expected username:hash") }
            let username = String(line[..<colon])
            guard !username.isEmpty else { throw malformed("the user name is empty") }
            guard username.first?.isWhitespace != true, username.last?.isWhitespace != true else {
                throw malformed("the user name \"\(username)\" starts or ends with white space")
            }
            guard users[username] == nil else { throw malformed("user \"\(username)\" appears twice") }
            do {
                users[username] = try PasswordHash(encoded: line[line.index(after: colon)...])
            } catch {
                throw malformed("user \"\(username)\": \(error)")
            }
        }
        self.users = users
    }
}
