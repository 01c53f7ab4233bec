extension DTDLParser {
    /// A localizable string: a plain string (English), a language map, or an array of strings and
    /// `{"@value", "@language"}` objects. Returns language → text.
    mutating func parseLangString(_ value: JSONValue, path: String, maxLength: Int, version: Int) -> [String: String]? {
        var result: [String: String] = [:]
        var valid = true
        func add(_ language: String, _ text: String, _ itemPath: String) {
            if result[language] != nil {
                fail(itemPath, "language \"\(language)\" appears more than once")
                valid = false
            } else if text.count > maxLength {
                fail(itemPath, "text is longer than \(maxLength) characters")
                valid = false
            }
            result[language] = text
        }
        switch value {
        case .string(let text):
            add("en", text, path)
        case .object(let map):
            for (language, text) in map {
                guard Self.isLanguageTag(language) else {
                    fail(path + "." + language, "\"\(language)\" is not a language code")
                    valid = false
                    continue
                }
                guard let text = text.stringValue else {
                    fail(path + "." + language, "localized text must be a string, found \(text.typeName)")
                    valid = false
                    continue
                }
                add(language, text, path + "." + language)
            }
        case .array(let items):
            for (position, item) in items.enumerated() {
                let itemPath = "\(path)[\(position)]"
                switch item {
                case .string(let text):
                    add("en", text, itemPath)
                case .object(let object):
                    guard let (language, text) = languageValue(object, path: itemPath, version: version) else {
                        valid = false
                        continue
                    }
                    add(language, text, itemPath)
                default:
                    fail(itemPath, "localized text must be a string or a value object, found \(item.typeName)")
                    valid = false
                }
            }
        default:
            fail(path, "localizable text must be a string, array or object, found \(value.typeName)")
            return nil
        }
        return valid ? result : nil
    }

    mutating func languageValue(_ object: JSONObject, path: String, version: Int) -> (String, String)? {
        for key in object.keys where key != "@value" && key != "@language" {
            if version >= 3 || !key.hasPrefix("@") || ["@id", "@context", "@graph"].contains(key) {
                fail(path + "." + key, "\(key) is not allowed in a localized value")
                return nil
            }
        }
        guard let text = object["@value"]?.stringValue else {
            fail(path, "a localized value needs a string @value")
            return nil
        }
        guard let languageValue = object["@language"] else { return ("en", text) }
        guard let language = languageValue.stringValue, Self.isLanguageTag(language) else {
            fail(path + ".@language", "\(languageValue) is not a language code")
            return nil
        }
        return (language, text)
    }

    /// BCP 47 in the shape the DTDL parser accepts: a 2–3 letter language, then 1–8 character subtags.
    static func isLanguageTag(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.utf8.count), first.utf8.allSatisfy(DTMI.isLetter) else {
            return false
        }
        return parts.dropFirst().allSatisfy { part in
            (1...8).contains(part.utf8.count) && part.utf8.allSatisfy { DTMI.isLetter($0) || DTMI.isDigit($0) }
        }
    }
}
