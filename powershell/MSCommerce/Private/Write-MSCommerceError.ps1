function Write-MSCommerceError {
    <#
    .SYNOPSIS
        Reports a failure on behalf of a public command, terminating or not according to its category.

    .DESCRIPTION
        Failures that every following item would meet too (AuthenticationError: not connected or token refused;
        ConnectionError; OperationTimeout) stop the command with ThrowTerminatingError. Every other failure
        concerns one item (one product not found, one value refused): it is written as a non-terminating error and
        the command goes on with the next item. -ErrorAction and -ErrorVariable of the public command apply as
        usual. A pipeline being stopped (Select-Object -First) is passed through untouched.

    .PARAMETER ErrorRecord
        The failure, as caught.

    .PARAMETER Cmdlet
        $PSCmdlet of the public command.

    .EXAMPLE
        try { Invoke-MSCommerceRestMethod @splatRest } catch { Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet }

        Reports the failure of a request.

    .OUTPUTS
        None.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [System.Management.Automation.ErrorRecord]$ErrorRecord,

        [Parameter(Mandatory)]
        [System.Management.Automation.PSCmdlet]$Cmdlet
    )

    # No branch for PipelineStoppedException: a catch block never sees it, the engine rethrows it first
    # (PowerShell's Compiler.cs, the try statement adds Catch(typeof(PipelineStoppedException), Rethrow())).
    $stopping = @('AuthenticationError', 'ConnectionError', 'OperationTimeout')
    if ($stopping -contains [string]$ErrorRecord.CategoryInfo.Category) {
        $Cmdlet.ThrowTerminatingError($ErrorRecord)
    }
    $Cmdlet.WriteError($ErrorRecord)
}
