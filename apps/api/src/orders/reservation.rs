//! The order's stock reservation (docs/spec.md#order-reservation): its states, what they allow,
//! and how the inventory service's replies move it. Pure rules, no I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where the order's stock reservation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reservation {
    /// Placed outside the saga (before inventory existed, or with the saga disabled):
    /// payable and cancelable as before, never swept.
    None,
    /// Waiting for the inventory service's answer.
    Pending,
    /// Every line is held for this order.
    Reserved,
    /// Some line was short; nothing is held and the order was canceled.
    Rejected,
    /// The held stock went back (the order was canceled or expired).
    Released,
    /// The order was paid and the stock left the warehouse.
    Committed,
}

/// Why an order cannot be paid in its reservation state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentBlocked {
    /// The inventory service has not answered yet: retry shortly.
    Pending,
    /// No stock is held for the order (rejected or released).
    NotHeld(Reservation),
}

/// The inventory service's replies, as far as the order's reservation is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockReply {
    Reserved,
    Rejected,
    Committed,
    Released,
}

impl Reservation {
    pub const ALL: [Self; 6] = [
        Self::None,
        Self::Pending,
        Self::Reserved,
        Self::Rejected,
        Self::Released,
        Self::Committed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Reserved => "reserved",
            Self::Rejected => "rejected",
            Self::Released => "released",
            Self::Committed => "committed",
        }
    }

    /// Paying needs the stock held (`reserved`), or an order outside the saga (`none`).
    pub fn check_payable(self) -> Result<(), PaymentBlocked> {
        match self {
            Self::None | Self::Reserved => Ok(()),
            Self::Pending => Err(PaymentBlocked::Pending),
            other => Err(PaymentBlocked::NotHeld(other)),
        }
    }

    /// The state after `reply`, or `None` when the reply does not apply to this state
    /// (a duplicate under another event id, or a reply for an order outside the saga).
    pub fn apply(self, reply: StockReply) -> Option<Self> {
        match (self, reply) {
            (Self::Pending, StockReply::Reserved) => Some(Self::Reserved),
            (Self::Pending, StockReply::Rejected) => Some(Self::Rejected),
            (Self::Reserved, StockReply::Committed) => Some(Self::Committed),
            // The inventory releases only what it held; `pending` is accepted too so a
            // release is never lost should it overtake its StockReserved.
            (Self::Pending | Self::Reserved, StockReply::Released) => Some(Self::Released),
            _ => None,
        }
    }
}

impl FromStr for Reservation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|reservation| reservation.as_str() == text)
            .ok_or_else(|| {
                "must be one of none, pending, reserved, rejected, released, committed".to_owned()
            })
    }
}

impl fmt::Display for Reservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Reservation::*;

    #[test]
    fn parses_exactly_what_it_prints() {
        for reservation in Reservation::ALL {
            assert_eq!(reservation.as_str().parse(), Ok(reservation));
        }
        assert!("RESERVED".parse::<Reservation>().is_err());
        assert!("".parse::<Reservation>().is_err());
    }

    #[test]
    fn only_held_stock_or_orders_outside_the_saga_are_payable() {
        assert_eq!(None.check_payable(), Ok(()));
        assert_eq!(Reserved.check_payable(), Ok(()));
        assert_eq!(Pending.check_payable(), Err(PaymentBlocked::Pending));
        for state in [Rejected, Released, Committed] {
            assert_eq!(state.check_payable(), Err(PaymentBlocked::NotHeld(state)));
        }
    }

    #[test]
    fn replies_move_only_the_states_they_answer() {
        assert_eq!(Pending.apply(StockReply::Reserved), Some(Reserved));
        assert_eq!(Pending.apply(StockReply::Rejected), Some(Rejected));
        assert_eq!(Reserved.apply(StockReply::Committed), Some(Committed));
        assert_eq!(Reserved.apply(StockReply::Released), Some(Released));
        assert_eq!(Pending.apply(StockReply::Released), Some(Released));
        for (state, reply) in [
            (None, StockReply::Reserved),
            (Reserved, StockReply::Reserved),
            (Reserved, StockReply::Rejected),
            (Pending, StockReply::Committed),
            (Committed, StockReply::Released),
            (Released, StockReply::Released),
            (Rejected, StockReply::Released),
            (None, StockReply::Released),
        ] {
            assert_eq!(state.apply(reply), Option::None, "{state} + {reply:?}");
        }
    }
}
