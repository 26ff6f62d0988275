#pragma once

// The kit's database (data_dir/digikit.db) is opened through base's SQLite helper, the
// same connection the upload queue keeps its rows in.
#include "digikit/base/sqlite.hpp"

namespace digikit::firmware {

using Database = base::SqliteDatabase;
using DatabaseError = base::SqliteError;
using base::as_int;
using base::as_text;
using base::is_null;

}  // namespace digikit::firmware
