import Foundation

/// Typed access to the fields of a `CSVTable` row, with errors naming file, line and column.
extension CSVTable {
    /// The trimmed text of column `column` (empty when the column is absent).
    public func text(_ row: Row, _ column: Int?) -> String {
        guard let column, column < row.fields.count else { return "" }
        let value = row.fields[column]
        guard let first = value.utf8.first, let last = value.utf8.last else { return value }
        // Unquoted fields are already trimmed; only quoted ones can carry outer blanks.
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        return blank(first) || blank(last) ? value.trimmingCharacters(in: .whitespaces) : value
    }

    /// A number, nil when the field is empty or the column absent; "NA"/"NaN"/"null" count as empty.
    public func optionalDouble(_ row: Row, _ column: Int?) throws -> Double? {
        let value = text(row, column)
        if value.isEmpty { return nil }
        if let number = Double(value), number.isFinite { return number }
        guard !["na", "nan", "null", "none", "-"].contains(value.lowercased()) else { return nil }
        throw ValidationInputError(path: path, line: row.line, message: "\(header[column!]) '\(value)' is not a number")
    }

    /// A required number.
    public func double(_ row: Row, _ column: Int) throws -> Double {
        guard let number = try optionalDouble(row, column) else {
            throw ValidationInputError(path: path, line: row.line, message: "\(header[column]) is empty")
        }
        return number
    }

    /// A whole number, nil when empty; "12.0" is accepted.
    public func optionalInt(_ row: Row, _ column: Int?) throws -> Int? {
        guard let number = try optionalDouble(row, column) else { return nil }
        guard number == number.rounded(), abs(number) < 1e15 else {
            throw ValidationInputError(path: path, line: row.line, message: "\(header[column!]) '\(text(row, column))' is not a whole number")
        }
        return Int(number)
    }

    /// A required HER2 score: "0", "1+", "2+", "3+" (also "1", "2", "3").
    public func score(_ row: Row, _ column: Int) throws -> HER2Score {
        let value = text(row, column)
        guard let score = HER2Score(label: value) else {
            throw ValidationInputError(path: path, line: row.line,
                                       message: "\(header[column]) '\(value)' is not a HER2 score (0, 1+, 2+, 3+)")
        }
        return score
    }

    /// An optional HER2 category (null, ultralow, low, equivocal, positive; case-insensitive).
    public func optionalCategory(_ row: Row, _ column: Int?) throws -> HER2Category? {
        let value = text(row, column)
        if value.isEmpty { return nil }
        guard let category = HER2Category(rawValue: value.lowercased()) else {
            throw ValidationInputError(path: path, line: row.line,
                                       message: "category '\(value)' is not one of null, ultralow, low, equivocal, positive")
        }
        return category
    }

    /// A required non-empty text field.
    public func name(_ row: Row, _ column: Int) throws -> String {
        let value = text(row, column)
        guard !value.isEmpty else { throw ValidationInputError(path: path, line: row.line, message: "\(header[column]) is empty") }
        return value
    }
}
