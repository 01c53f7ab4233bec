/// One lexical unit of a query, with where it starts.
struct QueryToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// An identifier or keyword: `[A-Za-z_][A-Za-z0-9_]*`; keywords are matched case-insensitively.
        case word(String)
        /// A system property name such as `$dtId`, kept with its `$`.
        case systemName(String)
        /// A quoted string, escapes resolved.
        case string(String)
        case integer(Int64)
        case double(Double)
        case symbol(Symbol)
        case end
    }

    enum Symbol: String, Sendable, Equatable {
        case leftParen = "("
        case rightParen = ")"
        case leftBracket = "["
        case rightBracket = "]"
        case comma = ","
        case dot = "."
        case dotDot = ".."
        case star = "*"
        case colon = ":"
        case pipe = "|"
        case minus = "-"
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
    }

    var kind: Kind
    /// Offset of the first code point, from the start of the query.
    var position: Int
    /// The token as written, for error messages.
    var text: String

    /// How error messages name this token: `'WHERE'`, `')'`, `string 'x'`, `number 5`, `end of query`.
    var quoted: String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        switch kind {
        case .end: return "end of query"
        case .string: return "string \(shown)"
        case .integer, .double: return "number \(shown)"
        default: return "'\(shown)'"
        }
    }

    /// The word, when this token is one.
    var word: String? {
        if case .word(let word) = kind { return word }
        return nil
    }

    /// Whether this is the keyword `keyword` (given in upper case), in any letter case.
    func isKeyword(_ keyword: String) -> Bool {
        guard case .word(let word) = kind, word.utf8.count == keyword.utf8.count else { return false }
        return word.uppercased() == keyword
    }

    func isSymbol(_ symbol: Symbol) -> Bool {
        kind == .symbol(symbol)
    }
}
