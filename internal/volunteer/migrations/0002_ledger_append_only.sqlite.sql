-- The ledger never changes or removes a transfer or a movement: a mistake
-- is undone by a reversing transfer. Refuse it outright.
CREATE TRIGGER lb_transfers_no_update BEFORE UPDATE ON lb_transfers
BEGIN SELECT RAISE(ABORT, 'lb_transfers is append-only'); END;
CREATE TRIGGER lb_transfers_no_delete BEFORE DELETE ON lb_transfers
BEGIN SELECT RAISE(ABORT, 'lb_transfers is append-only'); END;
CREATE TRIGGER lb_movements_no_update BEFORE UPDATE ON lb_movements
BEGIN SELECT RAISE(ABORT, 'lb_movements is append-only'); END;
CREATE TRIGGER lb_movements_no_delete BEFORE DELETE ON lb_movements
BEGIN SELECT RAISE(ABORT, 'lb_movements is append-only'); END;
