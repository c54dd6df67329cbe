"""Package data: shipped as files, loaded by callcenter.scripting.catalog."""
