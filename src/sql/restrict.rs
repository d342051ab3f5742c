//! Restrictions: what a query's WHERE and ON clauses say about the rows of
//! one table it reads, in the few simple forms vdb can test on a captured
//! row by itself (`id = 5`, `id BETWEEN 10 AND 20`, `id IN (1, 2)`,
//! `email = 'a@b.c'`, `x IS NOT NULL`).
//!
//! Why: the merged view of a changed table is a derived table holding every
//! captured row as literals. When the query can only ever use rows that pass
//! a restriction, the overlay embeds only the captured rows (and excludes
//! only the source keys) that may pass it, and leaves the table name alone
//! when none may: point lookups and ranges over a large delta then cost what
//! they cost on the source.
//!
//! Every test is conservative: [`Pred::admits`] says `false` only when the
//! value surely fails the test as the server would evaluate it (exact
//! decimal comparison for integer and DECIMAL columns; equality of printable
//! ASCII text under `_bin` and `_ci` collations); anything else is kept.

use std::cmp::Ordering;

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};

use super::literal::Column;

/// An exact decimal number: sign, integer digits without leading zeros,
/// fraction digits without trailing zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    neg: bool,
    int: String,
    frac: String,
}

impl Decimal {
    /// Parses `[-+]digits[.digits]` (the text protocol's integers and
    /// decimals, and SQL's exact numeric literals). Exponents are not exact
    /// numbers in SQL and are refused.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (neg, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let int = int.trim_start_matches('0').to_string();
        let frac = frac.trim_end_matches('0').to_string();
        let zero = int.is_empty() && frac.is_empty();
        Some(Decimal {
            neg: neg && !zero,
            int,
            frac,
        })
    }

    /// The value, when it is a whole number that fits.
    pub fn as_i128(&self) -> Option<i128> {
        if !self.frac.is_empty() {
            return None;
        }
        if self.int.is_empty() {
            return Some(0);
        }
        let v: i128 = self.int.parse().ok()?;
        Some(if self.neg { -v } else { v })
    }

    /// The number as an SQL literal.
    pub fn to_sql(&self) -> String {
        let mut s = String::new();
        if self.neg {
            s.push('-');
        }
        s.push_str(if self.int.is_empty() { "0" } else { &self.int });
        if !self.frac.is_empty() {
            s.push('.');
            s.push_str(&self.frac);
        }
        s
    }

    fn cmp_abs(&self, other: &Decimal) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A literal a restriction compares with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lit {
    /// An exact number.
    Num(Decimal),
    /// A string of printable ASCII without quotes or backslashes (so it
    /// means the same under every sql_mode and character set).
    Str(String),
}

impl Lit {
    fn to_sql(&self) -> String {
        match self {
            Lit::Num(d) => d.to_sql(),
            Lit::Str(s) => format!("'{s}'"),
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `=`
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    fn sql(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }

    fn flip(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Eq,
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
        }
    }

    fn holds(self, o: Ordering) -> bool {
        match self {
            Cmp::Eq => o == Ordering::Equal,
            Cmp::Lt => o == Ordering::Less,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
        }
    }
}

/// A test on one column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// `col <op> literal`
    Cmp(Cmp, Lit),
    /// `col IN (literals)`
    In(Vec<Lit>),
    /// `col IS NULL`
    IsNull,
    /// `col IS NOT NULL`
    IsNotNull,
}

/// A test every row the query uses must pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pred {
    /// The column, as the query names it.
    pub column: String,
    /// The test.
    pub test: Test,
}

/// How a column's values compare, as far as vdb can tell exactly.
enum Class {
    /// Integers and DECIMAL: exact numeric comparison.
    Number,
    /// Text under a collation vdb knows for printable ASCII.
    Text {
        /// PAD SPACE: trailing spaces do not count.
        pad: bool,
        /// Case-insensitive (`_ci`), else binary (`_bin`).
        ci: bool,
    },
    /// Anything else: every test is "maybe".
    Other,
}

/// Whether a column holds integers (so keys over it order numerically).
pub fn is_integer(col: &Column) -> bool {
    matches!(
        col.data_type.as_str(),
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
    )
}

fn class(col: &Column) -> Class {
    if is_integer(col) || matches!(col.data_type.as_str(), "decimal" | "numeric") {
        return Class::Number;
    }
    let text = matches!(
        col.data_type.as_str(),
        "char" | "varchar" | "text" | "tinytext" | "mediumtext" | "longtext"
    );
    let ascii_charset = matches!(
        col.charset.as_deref(),
        Some("utf8mb4" | "utf8mb3" | "utf8" | "latin1" | "ascii")
    );
    match col.collation.as_deref() {
        Some(c) if text && ascii_charset && (c.ends_with("_ci") || c.ends_with("_bin")) => {
            Class::Text {
                pad: !c.contains("nopad") && !c.contains("0900"),
                ci: c.ends_with("_ci"),
            }
        }
        _ => Class::Other,
    }
}

/// A column's value as a literal vdb can both test exactly and write into
/// SQL safely (numbers of numeric columns, plain ASCII of text columns).
pub fn literal_for(col: &Column, v: &[u8]) -> Option<Lit> {
    match class(col) {
        Class::Number => Decimal::parse(std::str::from_utf8(v).ok()?).map(Lit::Num),
        Class::Text { .. } if printable(v) && !v.contains(&b'\\') && !v.contains(&b'\'') => {
            Some(Lit::Str(String::from_utf8(v.to_vec()).ok()?))
        }
        _ => None,
    }
}

fn printable(b: &[u8]) -> bool {
    b.iter().all(|c| (0x20..=0x7e).contains(c))
}

impl Pred {
    /// Whether a value (text protocol bytes; `None` is NULL) of `col` may
    /// pass the test: `false` only when it surely fails.
    pub fn admits(&self, v: Option<&[u8]>, col: &Column) -> bool {
        let Some(v) = v else {
            // NULL passes only IS NULL.
            return self.test == Test::IsNull;
        };
        match &self.test {
            Test::IsNull => false,
            Test::IsNotNull => true,
            Test::Cmp(op, lit) => lit_admits(*op, lit, v, col),
            Test::In(list) => list.iter().any(|l| lit_admits(Cmp::Eq, l, v, col)),
        }
    }

    /// The test as SQL over the column written as `column` (a quoted name).
    pub fn to_sql(&self, column: &str) -> String {
        match &self.test {
            Test::Cmp(op, l) => format!("{column} {} {}", op.sql(), l.to_sql()),
            Test::In(list) if list.is_empty() => "0".into(),
            Test::In(list) => {
                let items: Vec<String> = list.iter().map(Lit::to_sql).collect();
                format!("{column} IN ({})", items.join(", "))
            }
            Test::IsNull => format!("{column} IS NULL"),
            Test::IsNotNull => format!("{column} IS NOT NULL"),
        }
    }
}

fn lit_admits(op: Cmp, lit: &Lit, v: &[u8], col: &Column) -> bool {
    match (class(col), lit) {
        (Class::Number, Lit::Num(n)) => {
            let Some(value) = std::str::from_utf8(v).ok().and_then(Decimal::parse) else {
                return true;
            };
            op.holds(value.cmp(n))
        }
        (Class::Text { pad, ci }, Lit::Str(s)) if op == Cmp::Eq => {
            if !printable(v) {
                return true;
            }
            let trim = |b: &[u8]| -> Vec<u8> {
                let mut b = b.to_vec();
                if pad {
                    while b.last() == Some(&b' ') {
                        b.pop();
                    }
                }
                b
            };
            let (a, b) = (trim(v), trim(s.as_bytes()));
            if ci {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        }
        _ => true,
    }
}

/// A column named in a condition: its qualifier parts (`t`, or `db`, `t`;
/// empty when unqualified) and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRef {
    /// Qualifier parts.
    pub qualifier: Vec<String>,
    /// The column.
    pub column: String,
}

/// The column an expression is, when it is a plain column reference.
pub fn column_ref(e: &Expr) -> Option<ColumnRef> {
    match e {
        Expr::Nested(inner) => column_ref(inner),
        // A double-quoted name is a string unless ANSI_QUOTES: not a column
        // vdb can be sure of.
        Expr::Identifier(id) if id.quote_style != Some('"') => Some(ColumnRef {
            qualifier: Vec::new(),
            column: id.value.clone(),
        }),
        Expr::CompoundIdentifier(parts)
            if (2..=3).contains(&parts.len())
                && parts.iter().all(|p| p.quote_style != Some('"')) =>
        {
            let (last, rest) = parts.split_last()?;
            Some(ColumnRef {
                qualifier: rest.iter().map(|p| p.value.clone()).collect(),
                column: last.value.clone(),
            })
        }
        _ => None,
    }
}

fn literal(e: &Expr) -> Option<Lit> {
    match e {
        Expr::Nested(inner) => literal(inner),
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Decimal::parse(n).map(Lit::Num),
            Value::SingleQuotedString(s)
                if printable(s.as_bytes()) && !s.contains('\\') && !s.contains('\'') =>
            {
                Some(Lit::Str(s.clone()))
            }
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal(expr)? {
            Lit::Num(d) if !d.neg => Decimal::parse(&format!("-{}", d.to_sql())).map(Lit::Num),
            _ => None,
        },
        _ => None,
    }
}

/// The top-level AND terms of a condition.
pub fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Nested(inner) => conjuncts(inner, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        _ => out.push(e),
    }
}

/// The tests a condition term makes on one column, when it is one of the
/// simple forms (`BETWEEN` gives two).
pub fn simple(e: &Expr) -> Option<(ColumnRef, Vec<Test>)> {
    let cmp = |op: &BinaryOperator| match op {
        BinaryOperator::Eq => Some(Cmp::Eq),
        BinaryOperator::Lt => Some(Cmp::Lt),
        BinaryOperator::LtEq => Some(Cmp::Le),
        BinaryOperator::Gt => Some(Cmp::Gt),
        BinaryOperator::GtEq => Some(Cmp::Ge),
        _ => None,
    };
    match e {
        Expr::Nested(inner) => simple(inner),
        Expr::BinaryOp { left, op, right } => {
            let op = cmp(op)?;
            if let (Some(c), Some(l)) = (column_ref(left), literal(right)) {
                return Some((c, vec![Test::Cmp(op, l)]));
            }
            let (l, c) = (literal(left)?, column_ref(right)?);
            Some((c, vec![Test::Cmp(op.flip(), l)]))
        }
        Expr::Between {
            expr,
            negated: false,
            low,
            high,
        } => Some((
            column_ref(expr)?,
            vec![
                Test::Cmp(Cmp::Ge, literal(low)?),
                Test::Cmp(Cmp::Le, literal(high)?),
            ],
        )),
        Expr::InList {
            expr,
            list,
            negated: false,
        } => {
            let lits = list.iter().map(literal).collect::<Option<Vec<_>>>()?;
            Some((column_ref(expr)?, vec![Test::In(lits)]))
        }
        Expr::IsNull(inner) => Some((column_ref(inner)?, vec![Test::IsNull])),
        Expr::IsNotNull(inner) => Some((column_ref(inner)?, vec![Test::IsNotNull])),
        _ => None,
    }
}

/// `a.x = b.y`: two columns compared for equality.
pub fn equality(e: &Expr) -> Option<(ColumnRef, ColumnRef)> {
    match e {
        Expr::Nested(inner) => equality(inner),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => Some((column_ref(left)?, column_ref(right)?)),
        _ => None,
    }
}

/// A table named in a query, by the names conditions may use for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The database, when the name is qualified.
    pub schema: Option<String>,
    /// The table.
    pub name: String,
    /// The alias, when one is given.
    pub alias: Option<String>,
}

impl Named {
    /// Whether a column's qualifier denotes this table: its alias when it
    /// has one (the name is then hidden, as in MySQL), else `t` or `db.t`.
    /// Unqualified columns are decided by the caller.
    pub fn owns(&self, c: &ColumnRef) -> bool {
        match (c.qualifier.as_slice(), &self.alias) {
            ([q], Some(a)) => q == a,
            ([q], None) => *q == self.name,
            ([s, q], None) => self.schema.as_ref() == Some(s) && *q == self.name,
            _ => false,
        }
    }
}

/// What a query says about the rows it uses of one table reference.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Restriction {
    /// Tests every used row passes.
    pub preds: Vec<Pred>,
    /// A join whose other side can be asked for the keys this table is
    /// joined on.
    pub probe: Option<Probe>,
    /// The table is the only one its SELECT reads, and nothing filters its
    /// rows (no WHERE, no HAVING): the query reads it whole, in the order
    /// the source stores it unless it sorts (`SELECT * FROM t LIMIT 200`,
    /// as a GUI browses a table). No index can serve a condition then, so
    /// the overlay may spell changed rows over the source's in their places
    /// (see `delta::TableDelta::projected_sql`).
    pub scan: bool,
    /// Of a scan whose rows the query returns as they come (a select list
    /// of columns, no DISTINCT, no grouping, no sort): its `LIMIT` and
    /// `OFFSET` numbers. The query uses only as many of the first rows as
    /// they sum to ([`Restriction::first_rows`]); rows past those can be
    /// left out of the merged view. (Kept as literals, so that a statement
    /// shape's template instantiates them as it does tests' values.)
    pub first: Option<Vec<Lit>>,
    /// When the query sorts the scan by one column of this table
    /// (`ORDER BY id DESC LIMIT 20`, the newest rows): that column, and
    /// `first` is then the number of the first rows *in that order* it
    /// uses. `None`: `first` counts rows as the source's scan gives them.
    pub sorted: Option<Sorted>,
    /// The statement returns every row of the scan as it comes (its own
    /// SELECT of columns, no WHERE, no ORDER BY, no LIMIT: `SELECT * FROM
    /// t`): the rows' order is the source's scan order, the key's for
    /// InnoDB, and the merged view must keep it.
    pub in_scan_order: bool,
}

/// `ORDER BY <column> [ASC|DESC]` of a scan (see [`Restriction::sorted`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sorted {
    /// The column, as the query names it (a select alias never: a query
    /// sorting by one is not a scan sorted by a column).
    pub column: String,
    /// `DESC`.
    pub descending: bool,
}

impl Restriction {
    /// How many of a scan's first rows the query can use, when it says
    /// (in the order [`Restriction::sorted`] says).
    pub fn first_rows(&self) -> Option<u64> {
        let mut sum: u64 = 0;
        for l in self.first.as_ref()? {
            let Lit::Num(d) = l else { return None };
            let n = u64::try_from(d.as_i128()?).ok()?;
            sum = sum.checked_add(n)?;
        }
        Some(sum)
    }
}

/// `t.column = other.other_column` in an inner join of two tables (or with
/// `t` on the optional side of an outer join): only rows of `t` whose column
/// equals one of the values `other` offers can be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// This table's column.
    pub column: String,
    /// The other table.
    pub other: Named,
    /// Its column.
    pub other_column: String,
    /// Tests on the other table's rows that the query applies.
    pub other_preds: Vec<Pred>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(data_type: &str, collation: Option<&str>) -> Column {
        Column {
            data_type: data_type.into(),
            column_type: data_type.into(),
            charset: collation.map(|c| c.split('_').next().unwrap().to_string()),
            collation: collation.map(String::from),
        }
    }

    fn pred(sql: &str) -> Pred {
        let e = sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_expr()
            .unwrap();
        let (c, mut tests) = simple(&e).unwrap();
        Pred {
            column: c.column,
            test: tests.remove(0),
        }
    }

    #[test]
    fn decimals_compare_exactly() {
        let d = |s| Decimal::parse(s).unwrap();
        assert_eq!(d("007.500"), d("7.5"));
        assert!(d("-0.5") < d("0"));
        assert!(d("-10") < d("-9.99"));
        assert!(d("18446744073709551615") > d("9223372036854775807"));
        assert_eq!(d("-0"), d("0"));
        assert_eq!(d("-42").as_i128(), Some(-42));
        assert!(Decimal::parse("1e3").is_none());
        assert!(Decimal::parse("0x10").is_none());
    }

    #[test]
    fn numeric_tests_reject_only_what_surely_fails() {
        let int = col("int", None);
        assert!(!pred("id = 5").admits(Some(b"6"), &int));
        assert!(pred("id = 5.0").admits(Some(b"5"), &int));
        assert!(!pred("id > -3").admits(Some(b"-3"), &int));
        assert!(pred("5 > id").admits(Some(b"4"), &int));
        assert!(!pred("id IN (1, 2)").admits(Some(b"3"), &int));
        assert!(!pred("id = 1").admits(None, &int), "NULL never equals");
        assert!(pred("id IS NULL").admits(None, &int));
        // A string literal against a number converts as a double: unknown.
        assert!(pred("id = '5x'").admits(Some(b"6"), &int));
        // FLOAT compares as double: unknown.
        assert!(pred("f = 1").admits(Some(b"2"), &col("float", None)));
    }

    #[test]
    fn text_tests_follow_the_collation() {
        let ci = col("varchar", Some("utf8mb4_general_ci"));
        let bin = col("varchar", Some("utf8mb4_bin"));
        assert!(pred("e = 'ADA@x'").admits(Some(b"ada@x  "), &ci));
        assert!(!pred("e = 'ADA@x'").admits(Some(b"bob@x"), &ci));
        assert!(!pred("e = 'ADA@x'").admits(Some(b"ada@x"), &bin));
        assert!(pred("e = 'ada@x'").admits(Some(b"ada@x "), &bin));
        // Beyond printable ASCII, accents may compare equal: unknown.
        assert!(pred("e = 'e'").admits(Some("é".as_bytes()), &ci));
        assert!(
            pred("e < 'b'").admits(Some(b"c"), &ci),
            "only equality on text"
        );
    }

    #[test]
    fn only_simple_terms_are_understood() {
        let parse = |sql: &str| {
            sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
                .try_with_sql(sql)
                .unwrap()
                .parse_expr()
                .unwrap()
        };
        assert!(simple(&parse("id + 1 = 5")).is_none());
        assert!(simple(&parse("id NOT IN (1)")).is_none());
        assert!(simple(&parse("e = 'it''s'")).is_none());
        assert!(simple(&parse("e = 'a\\\\b'")).is_none());
        assert!(simple(&parse("e = \"x\"")).is_none());
        let (c, t) = simple(&parse("s.id BETWEEN 1 AND 10")).unwrap();
        assert_eq!(c.qualifier, vec!["s".to_string()]);
        assert_eq!(t.len(), 2);
        let e = parse("a = 1 AND (b = 2 AND c > 3) AND (d = 1 OR e = 2)");
        let mut out = Vec::new();
        conjuncts(&e, &mut out);
        assert_eq!(out.len(), 4);
    }
}
