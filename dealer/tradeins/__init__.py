"""A customer's car offered as part of the payment: reading its description, storing it as a lead, the texts."""
