FROM example-base-image
COPY public /app/public
EXPOSE 3000
CMD ["httpd", "-f", "-p", "3000", "-h", "/app/public"]
