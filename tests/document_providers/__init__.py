"""Document provider tests (the path the original README named): field formats
and seeded twins."""

#: The document providers this repository ships; a test keeps the list complete.
BUILT_IN_DOCUMENTS = {
    "cart",
    "customer",
    "order",
    "payment",
    "shipment",
    "starfleet_account",
    "starfleet_application",
    "starfleet_login",
}
