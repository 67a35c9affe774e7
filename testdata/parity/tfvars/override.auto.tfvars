session_hours = 4
