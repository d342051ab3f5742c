//! Client commands: each packet of the command phase is parsed once into a
//! [`Command`], and the session matches on it.

/// One client command, borrowing from the packet it came in.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// COM_QUIT.
    Quit,
    /// COM_INIT_DB: change the default database.
    InitDb(&'a [u8]),
    /// COM_QUERY: SQL text (one or more statements).
    Query(&'a [u8]),
    /// COM_FIELD_LIST: columns of a table (deprecated, still used).
    FieldList,
    /// COM_STATISTICS: a one-line server status string.
    Statistics,
    /// COM_PING.
    Ping,
    /// COM_CHANGE_USER: re-authenticate and reset the session.
    ChangeUser,
    /// COM_STMT_PREPARE: SQL text of one statement.
    StmtPrepare(&'a [u8]),
    /// COM_STMT_EXECUTE.
    StmtExecute,
    /// COM_STMT_SEND_LONG_DATA (no response).
    StmtSendLongData,
    /// COM_STMT_CLOSE (no response).
    StmtClose,
    /// COM_STMT_RESET.
    StmtReset,
    /// COM_SET_OPTION: multi-statements on or off.
    SetOption,
    /// COM_STMT_FETCH: rows from a cursor.
    StmtFetch,
    /// COM_RESET_CONNECTION.
    ResetConnection,
    /// Anything else (replication, shutdown, process control, ...).
    Unknown(u8),
    /// A zero-length packet.
    Empty,
}

impl<'a> Command<'a> {
    /// Parses a command packet payload.
    pub fn parse(payload: &'a [u8]) -> Command<'a> {
        let Some((&code, body)) = payload.split_first() else {
            return Command::Empty;
        };
        match code {
            0x01 => Command::Quit,
            0x02 => Command::InitDb(body),
            0x03 => Command::Query(body),
            0x04 => Command::FieldList,
            0x09 => Command::Statistics,
            0x0e => Command::Ping,
            0x11 => Command::ChangeUser,
            0x16 => Command::StmtPrepare(body),
            0x17 => Command::StmtExecute,
            0x18 => Command::StmtSendLongData,
            0x19 => Command::StmtClose,
            0x1a => Command::StmtReset,
            0x1b => Command::SetOption,
            0x1c => Command::StmtFetch,
            0x1f => Command::ResetConnection,
            other => Command::Unknown(other),
        }
    }

    /// A short name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Quit => "COM_QUIT",
            Command::InitDb(_) => "COM_INIT_DB",
            Command::Query(_) => "COM_QUERY",
            Command::FieldList => "COM_FIELD_LIST",
            Command::Statistics => "COM_STATISTICS",
            Command::Ping => "COM_PING",
            Command::ChangeUser => "COM_CHANGE_USER",
            Command::StmtPrepare(_) => "COM_STMT_PREPARE",
            Command::StmtExecute => "COM_STMT_EXECUTE",
            Command::StmtSendLongData => "COM_STMT_SEND_LONG_DATA",
            Command::StmtClose => "COM_STMT_CLOSE",
            Command::StmtReset => "COM_STMT_RESET",
            Command::SetOption => "COM_SET_OPTION",
            Command::StmtFetch => "COM_STMT_FETCH",
            Command::ResetConnection => "COM_RESET_CONNECTION",
            Command::Unknown(_) => "unknown command",
            Command::Empty => "empty packet",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_recognised_by_their_first_byte() {
        assert_eq!(Command::parse(b"\x03SELECT 1"), Command::Query(b"SELECT 1"));
        assert_eq!(Command::parse(b"\x02db"), Command::InitDb(b"db"));
        assert_eq!(
            Command::parse(b"\x16SELECT ?"),
            Command::StmtPrepare(b"SELECT ?")
        );
        assert_eq!(Command::parse(b"\x0e"), Command::Ping);
        assert_eq!(Command::parse(b"\x12"), Command::Unknown(0x12));
        assert_eq!(Command::parse(b""), Command::Empty);
    }
}
