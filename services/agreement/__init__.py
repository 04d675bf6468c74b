"""Agreement tracking: repayment agreements from proposal through signature to fulfilment or breach."""
