/// The lexical forms DTDL's string-carried primitive schemas take in JSON.
///
/// `date`, `dateTime` and `time` are RFC 3339 (full-date, date-time, partial-time), `duration` is ISO 8601's
/// `PnYnMnWnDTnHnMnS`, `uuid` is the 8-4-4-4-12 hex form and `bytes` is base64.
enum TemporalFormat {
    static func matches(_ text: String, term: String) -> Bool {
        let bytes = Array(text.utf8)
        switch term {
        case "date": return isDate(bytes[...])
        case "time": return isTime(bytes[...])
        case "dateTime": return isDateTime(bytes)
        case "duration": return isDuration(bytes)
        case "uuid": return isUUID(bytes)
        case "bytes": return isBase64(bytes)
        default: return false
        }
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10 else { return false }
        let start = bytes.startIndex
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
            let year = digits(bytes[start..<start + 4]), let month = digits(bytes[start + 5..<start + 7]),
            let day = digits(bytes[start + 8..<start + 10]), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// `hh:mm:ss` with an optional fraction; a leap second (60) is allowed as RFC 3339 allows it.
    static func isTime(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 8 else { return false }
        let start = bytes.startIndex
        guard bytes[start + 2] == UInt8(ascii: ":"), bytes[start + 5] == UInt8(ascii: ":"),
            let hour = digits(bytes[start..<start + 2]), let minute = digits(bytes[start + 3..<start + 5]),
            let second = digits(bytes[start + 6..<start + 8]), hour < 24, minute < 60, second <= 60
        else { return false }
        let rest = bytes[(start + 8)...]
        if rest.isEmpty { return true }
        return rest.first == UInt8(ascii: ".") && digits(rest.dropFirst()) != nil
    }

    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 20, isDate(bytes[0..<10]), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") else {
            return false
        }
        let rest = bytes[11...]
        if let last = rest.last, last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") {
            return isTime(rest.dropLast())
        }
        guard rest.count >= 14 else { return false }
        let offset = rest.suffix(6)
        let sign = offset[offset.startIndex]
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), offset[offset.startIndex + 3] == UInt8(ascii: ":"),
            let hours = digits(offset[(offset.startIndex + 1)..<(offset.startIndex + 3)]),
            let minutes = digits(offset[(offset.startIndex + 4)...]), hours < 24, minutes < 60
        else { return false }
        return isTime(rest.dropLast(6))
    }

    /// ISO 8601 durations: designators in order, at least one number, a `T` only before time parts.
    static func isDuration(_ bytes: [UInt8]) -> Bool {
        guard bytes.first == UInt8(ascii: "P"), bytes.count > 1 else { return false }
        let dateDesignators: [UInt8] = Array("YMWD".utf8)
        let timeDesignators: [UInt8] = Array("HMS".utf8)
        var inTime = false
        var order = 0
        var number: [UInt8] = []
        var sawPart = false
        for byte in bytes.dropFirst() {
            if byte == UInt8(ascii: "T") {
                guard !inTime, number.isEmpty else { return false }
                inTime = true
                order = 0
                sawPart = false
                continue
            }
            if (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",") {
                number.append(byte)
                continue
            }
            let designators = inTime ? timeDesignators : dateDesignators
            guard let position = designators.firstIndex(of: byte), position >= order, !number.isEmpty,
                number.first != UInt8(ascii: "."), number.last != UInt8(ascii: "."),
                number.filter({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ",") }).count <= 1
            else { return false }
            order = position + 1
            number.removeAll()
            sawPart = true
        }
        return number.isEmpty && sawPart
    }

    static func isUUID(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !isHex(byte) {
                return false
            }
        }
        return true
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    static func isBase64(_ bytes: [UInt8]) -> Bool {
        guard bytes.count % 4 == 0 else { return false }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return false }
        return bytes.dropLast(padding).allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
        }
    }
}
