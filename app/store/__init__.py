"""Where networks are kept between requests."""
