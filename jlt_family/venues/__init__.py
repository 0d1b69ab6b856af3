"""场馆预约 with 绿色通道: venue offerings and slots, green-channel quota, bookings and check-in."""
