"""The web doors: the FastAPI app with the REST API, the Gradio shopper chat and agent console, the store page and its widget."""
