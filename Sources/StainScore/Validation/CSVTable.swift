import Foundation

/// A comma-separated file with a header row, read with RFC 4180 quoting.
///
/// Accepted: quoted fields (`"a, b"`), doubled quotes inside them (`"say ""hi"""`), line breaks
/// inside quoted fields, CRLF or LF line ends, a UTF-8 byte-order mark, blank lines (skipped) and
/// spaces and tabs around unquoted fields (trimmed). Refused with the file and line: an
/// unterminated quote, text after a closing quote, and a row with more fields than the header.
/// Rows with fewer fields than the header are padded with empty fields (trailing empty columns
/// are often dropped by editors).
public struct CSVTable: Sendable {
    /// One data row and the line it starts on.
    public struct Row: Sendable {
        public var fields: [String]
        /// 1-based physical line where the row starts.
        public var line: Int
    }

    /// The file the table came from (for messages).
    public var path: String
    /// Column names as written (trimmed).
    public var header: [String]
    public var rows: [Row]

    /// Parses `text`; `path` is only used in error messages.
    public init(text: String, path: String) throws {
        self.path = path
        var records = try Self.parse(text, path: path)
        guard !records.isEmpty else { throw ValidationInputError(path: path, message: "empty file (no header row)") }
        let head = records.removeFirst()
        header = head.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var rows: [Row] = []
        for record in records {
            var fields = record.fields
            if fields.count > header.count {
                // Tolerate trailing empty fields ("a,b,") beyond the header.
                while fields.count > header.count, fields.last?.isEmpty == true { fields.removeLast() }
                guard fields.count <= header.count else {
                    throw ValidationInputError(path: path, line: record.line,
                                               message: "\(fields.count) fields but the header has \(header.count)")
                }
            }
            while fields.count < header.count { fields.append("") }
            rows.append(Row(fields: fields, line: record.line))
        }
        self.rows = rows
    }

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationInputError(path: path, message: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationInputError(path: path, message: "not UTF-8 text")
        }
        try self.init(text: text, path: path)
    }

    /// Index of the first column whose name is one of `names` (case-insensitive).
    public func column(_ names: String...) -> Int? {
        let wanted = Set(names.map { $0.lowercased() })
        return header.firstIndex { wanted.contains($0.lowercased()) }
    }

    /// Index of a required column, or an error naming the file and the accepted names.
    public func requiredColumn(_ names: String...) throws -> Int {
        let wanted = Set(names.map { $0.lowercased() })
        guard let index = header.firstIndex(where: { wanted.contains($0.lowercased()) }) else {
            throw ValidationInputError(path: path, line: 1, message: "no column named \(names.map { "'\($0)'" }.joined(separator: " or ")) in the header (\(header.joined(separator: ",")))")
        }
        return index
    }

    struct Record {
        var fields: [String]
        var line: Int
    }

    /// Splits text into records. Works on UTF-8 bytes (every delimiter is ASCII, so multi-byte
    /// characters pass through untouched); `\r\n`, `\n` and a lone `\r` end a record.
    static func parse(_ text: String, path: String) throws -> [Record] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false          // inside a quoted field
        var wasQuoted = false       // the current field was quoted (kept as is; only blanks may follow)
        var afterClosingQuote = false
        var line = 1
        var recordLine = 1

        func endField() {
            if wasQuoted {
                fields.append(String(decoding: field, as: UTF8.self))
            } else {
                var lo = 0, hi = field.count
                while lo < hi, field[lo] == space || field[lo] == tab { lo += 1 }
                while hi > lo, field[hi - 1] == space || field[hi - 1] == tab { hi -= 1 }
                fields.append(String(decoding: field[lo..<hi], as: UTF8.self))
            }
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
            afterClosingQuote = false
        }
        func endRecord() {
            endField()
            // A blank line gives one empty field: skip it.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(fields: fields, line: recordLine)) }
            fields = []
        }

        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if quoted {
                if c == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote {
                        field.append(quote)
                        i += 1
                    } else {
                        quoted = false
                        afterClosingQuote = true
                    }
                } else {
                    if c == lf { line += 1 }
                    field.append(c)
                }
            } else if c == comma {
                endField()
            } else if c == lf || c == cr {
                if c == cr, i + 1 < bytes.count, bytes[i + 1] == lf { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else if c == quote {
                guard !afterClosingQuote, field.allSatisfy({ $0 == space || $0 == tab }) else {
                    throw ValidationInputError(path: path, line: line, message: "stray quote inside an unquoted field")
                }
                field.removeAll(keepingCapacity: true)
                quoted = true
                wasQuoted = true
            } else if afterClosingQuote {
                guard c == space || c == tab else {
                    throw ValidationInputError(path: path, line: line, message: "text after a closing quote")
                }
            } else {
                field.append(c)
            }
            i += 1
        }
        if quoted { throw ValidationInputError(path: path, line: recordLine, message: "unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }
}
