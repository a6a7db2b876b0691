//! `test` and `[`, following GNU coreutils' parser: the POSIX rules by
//! argument count for up to four arguments, the `!`/`-a`/`-o`/`( )`
//! grammar beyond. Exit 0 true, 1 false, 2 on bad usage.

use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
use std::process::ExitCode;

use super::coreutils::quote;

type Eval = Result<bool, String>;

pub(crate) fn test(tool: &str, args: &[String]) -> ExitCode {
    match evaluate(tool == "[", args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("{tool}: {message}");
            ExitCode::from(2)
        }
    }
}

fn evaluate(bracket: bool, args: &[String]) -> Eval {
    let args = if bracket {
        match args.split_last() {
            Some((last, rest)) if last == "]" => rest,
            _ => return Err(format!("missing {}", quote("]"))),
        }
    } else {
        args
    };
    if args.is_empty() {
        return Ok(false);
    }
    let mut parser = Parser { args, pos: 0 };
    let value = parser.posix(args.len())?;
    match args.get(parser.pos) {
        Some(extra) => Err(format!("extra argument {}", quote(extra))),
        None => Ok(value),
    }
}

struct Parser<'a> {
    args: &'a [String],
    pos: usize,
}

impl Parser<'_> {
    fn at(&self, offset: usize) -> &str {
        self.args.get(self.pos + offset).map_or("", String::as_str)
    }

    fn left(&self) -> usize {
        self.args.len().saturating_sub(self.pos)
    }

    fn beyond(&self) -> String {
        let last = self.args.last().map_or("", String::as_str);
        format!("missing argument after {}", quote(last))
    }

    /// Moves past one argument; `more` when another must follow it.
    fn advance(&mut self, more: bool) -> Result<(), String> {
        self.pos += 1;
        if more && self.pos >= self.args.len() {
            return Err(self.beyond());
        }
        Ok(())
    }

    fn posix(&mut self, count: usize) -> Eval {
        match count {
            1 => self.one(),
            2 => self.two(),
            3 => self.three(),
            4 if self.at(0) == "!" => {
                self.advance(true)?;
                Ok(!self.three()?)
            }
            4 if self.at(0) == "(" && self.at(3) == ")" => {
                self.advance(false)?;
                let value = self.two()?;
                self.advance(false)?;
                Ok(value)
            }
            _ => self.expr(),
        }
    }

    fn one(&mut self) -> Eval {
        let value = !self.at(0).is_empty();
        self.advance(false)?;
        Ok(value)
    }

    fn two(&mut self) -> Eval {
        if self.at(0) == "!" {
            self.advance(false)?;
            return Ok(!self.one()?);
        }
        if is_short_option(self.at(0)) {
            return self.unary();
        }
        Err(self.beyond())
    }

    fn three(&mut self) -> Eval {
        if is_binary(self.at(1)) {
            self.binary(false)
        } else if self.at(0) == "!" {
            self.advance(true)?;
            Ok(!self.two()?)
        } else if self.at(0) == "(" && self.at(2) == ")" {
            self.advance(false)?;
            let value = self.one()?;
            self.advance(false)?;
            Ok(value)
        } else if self.at(1) == "-a" || self.at(1) == "-o" {
            self.expr()
        } else {
            Err(format!("{}: binary operator expected", quote(self.at(1))))
        }
    }

    fn expr(&mut self) -> Eval {
        if self.left() == 0 {
            return Err(self.beyond());
        }
        let mut value = false;
        loop {
            value |= self.and()?;
            if self.left() == 0 || self.at(0) != "-o" {
                return Ok(value);
            }
            self.advance(false)?;
        }
    }

    fn and(&mut self) -> Eval {
        let mut value = true;
        loop {
            value &= self.term()?;
            if self.left() == 0 || self.at(0) != "-a" {
                return Ok(value);
            }
            self.advance(false)?;
        }
    }

    fn term(&mut self) -> Eval {
        let mut negated = false;
        while self.left() > 0 && self.at(0) == "!" {
            self.advance(true)?;
            negated = !negated;
        }
        if self.left() == 0 {
            return Err(self.beyond());
        }
        let value = if self.at(0) == "(" {
            self.advance(true)?;
            let mut count = 1;
            while count < self.left() && self.at(count) != ")" {
                if count == 4 {
                    count = self.left();
                    break;
                }
                count += 1;
            }
            let value = self.posix(count)?;
            match self.args.get(self.pos).map(String::as_str) {
                None => return Err(format!("{} expected", quote(")"))),
                Some(")") => {}
                Some(found) => {
                    return Err(format!("{} expected, found {}", quote(")"), quote(found)));
                }
            }
            self.advance(false)?;
            value
        } else if self.left() >= 4 && self.at(0) == "-l" && is_binary(self.at(2)) {
            self.binary(true)?
        } else if self.left() >= 3 && is_binary(self.at(1)) {
            self.binary(false)?
        } else if is_short_option(self.at(0)) {
            self.unary()?
        } else {
            self.one()?
        };
        Ok(negated ^ value)
    }

    /// `A OP B`, or `-l A OP B` comparing A's length.
    fn binary(&mut self, length: bool) -> Eval {
        if length {
            self.advance(false)?;
        }
        let (a, op, b) = (
            self.at(0).to_owned(),
            self.at(1).to_owned(),
            self.at(2).to_owned(),
        );
        self.pos += 3;
        let number = |s: &str| integer(s).ok_or_else(|| format!("invalid integer {}", quote(s)));
        let left = || {
            if length {
                Ok(a.len() as i128)
            } else {
                number(&a)
            }
        };
        Ok(match op.as_str() {
            "=" | "==" => a == b,
            "!=" => a != b,
            "-eq" => left()? == number(&b)?,
            "-ne" => left()? != number(&b)?,
            "-lt" => left()? < number(&b)?,
            "-le" => left()? <= number(&b)?,
            "-gt" => left()? > number(&b)?,
            "-ge" => left()? >= number(&b)?,
            "-ef" => match (std::fs::metadata(&a), std::fs::metadata(&b)) {
                (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
                _ => false,
            },
            newer_or_older => {
                let mtime = |p: &str| std::fs::metadata(p).and_then(|m| m.modified()).ok();
                let (x, y) = (mtime(&a), mtime(&b));
                if newer_or_older == "-nt" {
                    x > y
                } else {
                    y > x
                }
            }
        })
    }

    fn unary(&mut self) -> Eval {
        let op = self.at(0).to_owned();
        if !"bcdefghknprstuwxzGLNOS".contains(&op[1..]) {
            return Err(format!("{}: unary operator expected", quote(&op)));
        }
        self.advance(true)?;
        let operand = self.at(0).to_owned();
        self.advance(false)?;
        let path = operand.as_str();
        let meta = std::fs::metadata(path);
        let mode_has = |bit: u32| meta.as_ref().is_ok_and(|m| m.mode() & bit != 0);
        let can = |flag| nix::unistd::access(path, flag).is_ok();
        use nix::unistd::AccessFlags;
        Ok(match &op[1..] {
            "n" => !operand.is_empty(),
            "z" => operand.is_empty(),
            "e" => meta.is_ok(),
            "f" => meta.is_ok_and(|m| m.is_file()),
            "d" => meta.is_ok_and(|m| m.is_dir()),
            "s" => meta.is_ok_and(|m| m.len() > 0),
            "b" => meta.is_ok_and(|m| m.file_type().is_block_device()),
            "c" => meta.is_ok_and(|m| m.file_type().is_char_device()),
            "p" => meta.is_ok_and(|m| m.file_type().is_fifo()),
            "S" => meta.is_ok_and(|m| m.file_type().is_socket()),
            "h" | "L" => std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()),
            "r" => can(AccessFlags::R_OK),
            "w" => can(AccessFlags::W_OK),
            "x" => can(AccessFlags::X_OK),
            "u" => mode_has(0o4000),
            "g" => mode_has(0o2000),
            "k" => mode_has(0o1000),
            "O" => meta.is_ok_and(|m| m.uid() == nix::unistd::geteuid().as_raw()),
            "G" => meta.is_ok_and(|m| m.gid() == nix::unistd::getegid().as_raw()),
            "N" => meta.is_ok_and(|m| m.mtime() > m.atime()),
            _ => {
                use std::io::IsTerminal as _;
                match integer(path) {
                    Some(0) => std::io::stdin().is_terminal(),
                    Some(1) => std::io::stdout().is_terminal(),
                    Some(2) => std::io::stderr().is_terminal(),
                    Some(_) => false,
                    None => return Err(format!("invalid integer {}", quote(path))),
                }
            }
        })
    }
}

/// `-x`: one dash and one character, the shape of a unary operator.
fn is_short_option(arg: &str) -> bool {
    arg.len() == 2 && arg.starts_with('-')
}

fn is_binary(arg: &str) -> bool {
    [
        "=", "!=", "==", "-nt", "-ot", "-ef", "-eq", "-ne", "-lt", "-le", "-gt", "-ge",
    ]
    .contains(&arg)
}

/// An integer as GNU test reads it: blanks around, an optional sign.
fn integer(text: &str) -> Option<i128> {
    let trimmed = text.trim_matches([' ', '\t']);
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.strip_prefix('+').unwrap_or(trimmed).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bracket: bool, args: &[&str]) -> Eval {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        evaluate(bracket, &args)
    }

    #[test]
    fn files_strings_and_numbers_answer_as_gnu_test_does() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        let (file, empty, dir) = (
            file.to_str().unwrap(),
            empty.to_str().unwrap(),
            dir.path().to_str().unwrap(),
        );
        for (args, expected) in [
            (vec!["-f", file], true),
            (vec!["-d", file], false),
            (vec!["-d", dir], true),
            (vec!["-e", "/nonexistent"], false),
            (vec!["-s", file], true),
            (vec!["-s", empty], false),
            (vec!["-r", file], true),
            (vec!["-n", ""], false),
            (vec!["-z", ""], true),
            (vec!["!", "-e", "/nonexistent"], true),
            (vec!["a", "=", "a"], true),
            (vec!["a", "!=", "a"], false),
            (vec![" 10 ", "-gt", "9"], true),
            (vec!["-1", "-lt", "+0"], true),
            (vec!["-f", file, "-a", "-d", dir], true),
            (vec!["-f", dir, "-o", "(", "x", "=", "x", ")"], true),
            (vec!["-l", "abc", "-eq", "3"], true),
            (vec![], false),
            (vec!["-f"], true),
        ] {
            assert_eq!(run(false, &args), Ok(expected), "test {args:?}");
        }
        assert_eq!(run(true, &["-d", dir, "]"]), Ok(true));
    }

    #[test]
    fn bad_usage_is_said_in_gnu_test_words() {
        // Quoted as the locale of the test run has it, as GNU test would.
        let q = quote;
        for (args, message) in [
            (
                &["a", "-gt", "1"][..],
                format!("invalid integer {}", q("a")),
            ),
            (
                &["x", "-foo", "y"],
                format!("{}: binary operator expected", q("-foo")),
            ),
            (
                &["-q", "x"],
                format!("{}: unary operator expected", q("-q")),
            ),
            (
                &["-f", "a", "b"],
                format!("{}: binary operator expected", q("a")),
            ),
            (&["(", "a"], format!("missing argument after {}", q("a"))),
            (
                &["a", "b", "c", "d", "e"],
                format!("extra argument {}", q("b")),
            ),
            (&["(", "a", "-a", "b"], format!("{} expected", q(")"))),
        ] {
            assert_eq!(run(false, args), Err(message), "test {args:?}");
        }
        assert_eq!(run(true, &["-f", "x"]), Err(format!("missing {}", q("]"))));
    }
}
