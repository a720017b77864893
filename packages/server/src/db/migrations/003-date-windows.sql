-- Searches for a window (date=ge…&date=lt…) on a single-valued date ask for rows whose range
-- overlaps the window. A GiST index on that range, led by type and parameter (btree_gist lets
-- those plain columns share the index), finds them without reading every earlier or later row.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX sp_date_window ON sp_date USING gist (res_type, code, tstzrange(low, high, '[]'));
