import Foundation

/// Byte-level preparation of a gbXML file before the XML parser sees it.
extension GbXMLFile {
    /// The file as UTF-8: a UTF-8 BOM is dropped; UTF-16 (either byte order, with or without BOM) is
    /// transcoded and its XML declaration rewritten to say UTF-8 (keeping line numbers). Any document type
    /// declaration or entity declaration is refused: the importer never expands entities (billion laughs)
    /// nor reads external ones (XXE).
    static func utf8Bytes(_ bytes: [UInt8], name: String) throws(TwinModelError) -> [UInt8] {
        var utf8: [UInt8]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            utf8 = Array(bytes.dropFirst(3))
        } else if let bigEndian = utf16ByteOrder(bytes) {
            utf8 = try transcodeUTF16(bytes, bigEndian: bigEndian, name: name)
        } else {
            utf8 = bytes
        }
        try refuseDeclarations(utf8, name: name)
        return utf8
    }

    /// `true` for big-endian UTF-16, `false` for little-endian, `nil` when the bytes are not UTF-16.
    static func utf16ByteOrder(_ bytes: [UInt8]) -> Bool? {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0x00, 0x3C, 0x00, 0x3F]) { return true }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x3C, 0x00, 0x3F, 0x00]) { return false }
        return nil
    }

    private static func transcodeUTF16(_ bytes: [UInt8], bigEndian: Bool, name: String) throws(TwinModelError) -> [UInt8] {
        guard bytes.count % 2 == 0 else { throw .invalidImport(location: name, reason: "UTF-16 file with an odd number of bytes") }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            units.append(UInt16(high) << 8 | UInt16(low))
            index += 2
        }
        if units.first == 0xFEFF { units.removeFirst() }
        var text = String(decoding: units, as: UTF16.self)
        if text.hasPrefix("<?xml"), let end = text.range(of: "?>") {
            let declaration = text[..<end.upperBound]
            let newlines = String(repeating: "\n", count: declaration.filter(\.isNewline).count)
            text.replaceSubrange(..<end.upperBound, with: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + newlines)
        }
        return Array(text.utf8)
    }

    /// Throws at the first `<!DOCTYPE` or `<!ENTITY`, naming its line.
    private static func refuseDeclarations(_ bytes: [UInt8], name: String) throws(TwinModelError) {
        let markers: [(bytes: [UInt8], what: String)] = [(Array("<!DOCTYPE".utf8), "a DOCTYPE"), (Array("<!ENTITY".utf8), "an ENTITY")]
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
            } else if byte == UInt8(ascii: "<"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "!") {
                for marker in markers where bytes[index...].starts(with: marker.bytes) {
                    throw .invalidImport(
                        location: "\(name):\(line)",
                        reason: "\(marker.what) declaration; gbXML files need none, and entities are never expanded or fetched")
                }
            }
            index += 1
        }
    }
}
