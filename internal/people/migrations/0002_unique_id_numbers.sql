-- An identity number is on file once. The store checks it before writing;
-- this index makes it hold when two writes race, as they can on
-- PostgreSQL. Lookups keep using residents_id_number.
CREATE UNIQUE INDEX residents_id_number_once ON residents (id_number_index) WHERE id_number_index <> '';
