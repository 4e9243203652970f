function Get-MSCommerceFailureInfo {
    <#
    .SYNOPSIS
        Extracts status code, body and cause from a failed Invoke-WebRequest, on 5.1 and on 7.

    .DESCRIPTION
        The two editions report an HTTP error differently. PowerShell 7 throws an HttpResponseException whose
        Response is an HttpResponseMessage and puts the body in ErrorDetails.Message. Windows PowerShell 5.1 throws
        a WebException whose Response is an HttpWebResponse; it usually copies the body into ErrorDetails.Message
        as well, and otherwise the body is still in the response stream. This function reads ErrorDetails.Message
        first and the response stream second. A failure without a response (refused connection, name not
        resolved, TLS failure, timeout) gives StatusCode 0; IsTimeout tells a timeout apart.

    .PARAMETER Failure
        The ErrorRecord caught around Invoke-WebRequest.

    .EXAMPLE
        try { Invoke-WebRequest -Uri $uri -UseBasicParsing } catch { Get-MSCommerceFailureInfo -Failure $_ }

        Returns StatusCode, Body, ExceptionMessage, IsTimeout and Exception.

    .OUTPUTS
        System.Management.Automation.PSCustomObject.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [object]$Failure
    )

    $exception = $Failure.Exception
    $response = $exception.Response
    $statusCode = 0
    if ($null -ne $response -and $null -ne $response.StatusCode) {
        $statusCode = [int]$response.StatusCode
    }

    $body = ''
    if ($null -ne $Failure.ErrorDetails -and -not [string]::IsNullOrEmpty($Failure.ErrorDetails.Message)) {
        $body = [string]$Failure.ErrorDetails.Message
    }
    elseif ($response -is [System.Net.WebResponse]) {
        $body = Read-MSCommerceResponseStream -Response $response
    }

    $isTimeout = $false
    if ($exception -is [System.Net.WebException]) {
        $isTimeout = $exception.Status -eq [System.Net.WebExceptionStatus]::Timeout
    }
    foreach ($cause in @($exception, $exception.InnerException)) {
        if ($cause -is [System.OperationCanceledException] -or $cause -is [System.TimeoutException]) {
            $isTimeout = $true
        }
    }

    [pscustomobject]@{
        StatusCode       = $statusCode
        Body             = $body
        ExceptionMessage = [string]$exception.Message
        IsTimeout        = $isTimeout
        Exception        = $exception
    }
}
