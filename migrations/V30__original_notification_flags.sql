-- The three notification switches of the original product's monitor form
-- (`emailNotificationEnabled`, `pushNotificationEnabled`, `smsNotificationEnabled`), as last sent
-- through `/http-monitors`, so those clients read back what they wrote. JSON
-- `{"email": bool, "push": bool, "sms": bool}`; NULL once the monitor's channels were chosen
-- through `/monitors` (the switches are then read from its channels).
ALTER TABLE monitors ADD COLUMN original_flags TEXT;
