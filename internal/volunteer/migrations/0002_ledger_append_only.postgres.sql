-- The ledger never changes or removes a transfer or a movement: a mistake
-- is undone by a reversing transfer. Refuse it outright.
CREATE FUNCTION lb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER lb_transfers_no_change BEFORE UPDATE OR DELETE ON lb_transfers
FOR EACH ROW EXECUTE FUNCTION lb_append_only();
CREATE TRIGGER lb_movements_no_change BEFORE UPDATE OR DELETE ON lb_movements
FOR EACH ROW EXECUTE FUNCTION lb_append_only();
