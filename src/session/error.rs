//! The one place that chooses MySQL error codes and SQLSTATEs for errors vdb
//! raises itself. Errors from the source are relayed unchanged and never
//! pass through here.

use crate::sql::classify::Refusal;

/// An error vdb answers a client with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The allow-list refused a statement.
    Refused(Refusal),
    /// A command byte vdb does not serve.
    UnknownCommand(u8),
    /// A command packet with a sequence id other than 0.
    PacketsOutOfOrder,
    /// A packet that cannot be parsed.
    Malformed(&'static str),
    /// The source cannot be reached (at login or on reconnect).
    SourceUnreachable(String),
    /// The source connection broke during this statement.
    SourceLost(String),
    /// KILL named a connection that is not one of vdb's.
    NoSuchThread(u64),
    /// A write or a read over changed data in a form vdb cannot answer
    /// exactly yet, by name.
    NotCapturable(String),
    /// A statement vdb would send the source is larger than the source's
    /// max_allowed_packet (a read that embeds a large delta whole).
    BeyondPacket {
        /// What is too large ("a statement whose merged view of changed
        /// tables").
        what: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The source's max_allowed_packet.
        limit: usize,
        /// What the user can do about it.
        hint: &'static str,
    },
    /// A `vdb.*` table that does not exist.
    NoSuchControlTable(String),
    /// A `vdb.*` procedure that does not exist.
    NoSuchControlProcedure(String),
    /// A `vdb.*` call that failed (no such snapshot, bad arguments).
    ControlFailed(String),
    /// A row lock was not granted within innodb_lock_wait_timeout (or at
    /// once, under NOWAIT).
    LockWaitTimeout,
    /// Waiting for a row lock would have closed a cycle: this session's
    /// transaction was rolled back.
    Deadlock,
    /// A statement command named an id this session never prepared.
    UnknownStatement {
        /// The id the client sent.
        id: u32,
        /// The server function the message names (`mysqld_stmt_execute`).
        function: String,
    },
}

impl ClientError {
    /// The error code and SQLSTATE. Exhaustive: adding a variant forces a
    /// decision here.
    pub fn code(&self) -> (u16, &'static str) {
        match self {
            // ER_NOT_SUPPORTED_YET
            ClientError::Refused(_)
            | ClientError::NotCapturable(_)
            | ClientError::BeyondPacket { .. } => (1235, "42000"),
            // ER_UNKNOWN_COM_ERROR
            ClientError::UnknownCommand(_) => (1047, "08S01"),
            // ER_NET_PACKETS_OUT_OF_ORDER
            ClientError::PacketsOutOfOrder => (1156, "08S01"),
            // ER_MALFORMED_PACKET
            ClientError::Malformed(_) => (1835, "HY000"),
            // CR_CONN_HOST_ERROR / CR_SERVER_LOST, as a client would report
            // them if it were connected to the source directly; HY000 so
            // drivers keep this connection (vdb reconnects by itself).
            ClientError::SourceUnreachable(_) => (2003, "HY000"),
            ClientError::SourceLost(_) => (2013, "HY000"),
            // ER_NO_SUCH_THREAD
            ClientError::NoSuchThread(_) => (1094, "HY000"),
            // ER_NO_SUCH_TABLE
            ClientError::NoSuchControlTable(_) => (1146, "42S02"),
            // ER_SP_DOES_NOT_EXIST
            ClientError::NoSuchControlProcedure(_) => (1305, "42000"),
            // ER_SIGNAL_EXCEPTION, as a procedure's SIGNAL would give
            ClientError::ControlFailed(_) => (1644, "45000"),
            // ER_UNKNOWN_STMT_HANDLER
            ClientError::UnknownStatement { .. } => (1243, "HY000"),
            // ER_LOCK_WAIT_TIMEOUT
            ClientError::LockWaitTimeout => (1205, "HY000"),
            // ER_LOCK_DEADLOCK
            ClientError::Deadlock => (1213, "40001"),
        }
    }

    /// The message.
    pub fn message(&self) -> String {
        match self {
            // DDL of an object the delta has no place for yet (a stored
            // routine, an event, a user): no form of it is captured.
            ClientError::Refused(r)
                if r.capturable
                    && !super::CAPTURED_WRITES.contains(&r.statement.as_str())
                    && !super::CAPTURED_DDL.contains(&r.statement.as_str()) =>
            {
                format!(
                    "vdb does not capture {} yet (it would change the source); nothing was changed and nothing was sent to the source",
                    r.statement
                )
            }
            ClientError::Refused(r) if r.capturable => format!(
                "vdb does not support {} in this form yet: it would write, and vdb captures writes only as statements of their own (a query or a server-side prepared statement); nothing was sent to the source",
                r.statement
            ),
            ClientError::Refused(r) => format!(
                "vdb does not support {}: it would act on the source server itself; nothing was sent to the source",
                r.statement
            ),
            ClientError::NotCapturable(what) => format!(
                "vdb does not support {what} yet; nothing was changed and nothing was sent to the source"
            ),
            ClientError::BeyondPacket {
                what,
                len,
                limit,
                hint,
            } => format!(
                "vdb cannot send {what}: it is {len} bytes of SQL, beyond the source's max_allowed_packet ({limit}); {hint}; nothing was changed and nothing was sent to the source"
            ),
            ClientError::UnknownCommand(c) => format!("Unknown command (0x{c:02x})"),
            ClientError::PacketsOutOfOrder => "Got packets out of order".into(),
            ClientError::Malformed(what) => format!("Malformed communication packet ({what})"),
            ClientError::SourceUnreachable(why) => format!("vdb cannot connect to the source database: {why}"),
            ClientError::NoSuchThread(id) => format!("Unknown thread id: {id}"),
            ClientError::NoSuchControlTable(name) => format!("Table 'vdb.{name}' doesn't exist"),
            ClientError::NoSuchControlProcedure(name) => {
                format!("PROCEDURE vdb.{name} does not exist")
            }
            ClientError::ControlFailed(why) => format!("vdb: {why}"),
            ClientError::UnknownStatement { id, function } => {
                format!("Unknown prepared statement handler ({id}) given to {function}")
            }
            ClientError::LockWaitTimeout => {
                "Lock wait timeout exceeded; try restarting transaction".into()
            }
            ClientError::Deadlock => {
                "Deadlock found when trying to get lock; try restarting transaction".into()
            }
            ClientError::SourceLost(why) => {
                format!("Lost connection to the source database during the statement ({why}); vdb reconnects on the next one")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_statement() {
        let e = ClientError::Refused(Refusal {
            statement: "INSERT".into(),
            capturable: true,
        });
        assert_eq!(e.code(), (1235, "42000"));
        assert!(e.message().contains("INSERT"));
        assert!(e.message().contains("nothing was sent to the source"));
    }
}
